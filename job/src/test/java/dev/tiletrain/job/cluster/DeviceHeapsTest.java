package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.tiles.DeviceLimits;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The heaps a memory limit gives the first device's executor and driver. */
class DeviceHeapsTest {
    @Test
    void aPiSizedDeviceGetsSparksFloorAndIsToldItIsTight() {
        DeviceHeaps heaps = DeviceHeaps.of(DeviceLimits.NONE.withMemoryBytes(1L << 30)).orElseThrow();
        assertEquals(new DeviceHeaps(512, 512), heaps);
        String why = heaps.crowding(1L << 30).orElseThrow();
        assertTrue(why.contains("~1792 MiB, more than its 1024 MiB limit"), why);
    }

    @Test
    void aLargerDeviceSplitsWhatTheWorkerAndTheJvmsLeave() {
        DeviceHeaps heaps = DeviceHeaps.of(DeviceLimits.NONE.withMemoryBytes(4L << 30)).orElseThrow();
        assertEquals(new DeviceHeaps(1664, 1664), heaps);
        assertEquals(Optional.empty(), heaps.crowding(4L << 30));
    }

    @Test
    void withoutAMemoryLimitTheJobsOwnDefaultsStand() {
        assertEquals(Optional.empty(), DeviceHeaps.of(DeviceLimits.NONE.withCpuShare(0.4)));
    }
}
