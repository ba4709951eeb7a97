package dev.tiletrain.job.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.job.train.DriverDeviceRelease.Executor;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriverDeviceReleaseTest {
    private static final String DRIVER = "10.0.0.11";
    private static final List<Executor> FOUR_DEVICES = List.of(new Executor("0", "10.0.0.14"),
            new Executor("1", DRIVER), new Executor("2", "10.0.0.12"), new Executor("3", "10.0.0.13"));

    @Test
    void fewerTilesThanOtherDevicesReleaseTheDriversDevice() {
        assertEquals(List.of("1"), DriverDeviceRelease.choose(3, DRIVER, FOUR_DEVICES));
        assertEquals(List.of("1"), DriverDeviceRelease.choose(1, DRIVER, FOUR_DEVICES));
    }

    @Test
    void aTileForEveryDeviceKeepsThemAll() {
        assertEquals(List.of(), DriverDeviceRelease.choose(4, DRIVER, FOUR_DEVICES));
        assertEquals(List.of(), DriverDeviceRelease.choose(8, DRIVER, FOUR_DEVICES));
    }

    @Test
    void aLoopbackClusterSharesTheDriversHostAndKeepsThemAll() {
        List<Executor> loopback = List.of(new Executor("0", "127.0.0.1"), new Executor("1", "127.0.0.1"));
        assertEquals(List.of(), DriverDeviceRelease.choose(1, "127.0.0.1", loopback));
    }

    @Test
    void aDeviceWithTwoExecutorsBesideTheDriverReleasesBoth() {
        List<Executor> executors = List.of(new Executor("0", DRIVER), new Executor("1", DRIVER),
                new Executor("2", "10.0.0.12"), new Executor("3", "10.0.0.12"));
        assertEquals(List.of("0", "1"), DriverDeviceRelease.choose(2, DRIVER, executors));
        assertEquals(List.of(), DriverDeviceRelease.choose(3, DRIVER, executors));
    }

    @Test
    void theDriversDeviceIsFreeWhenNoExecutorIsLeftThere() {
        assertTrue(DriverDeviceRelease.driverDeviceFree(DRIVER, FOUR_DEVICES, List.of("1")));
        assertFalse(DriverDeviceRelease.driverDeviceFree(DRIVER, FOUR_DEVICES, List.of()));
        List<Executor> elsewhere = FOUR_DEVICES.stream().filter(e -> !e.host().equals(DRIVER)).toList();
        assertTrue(DriverDeviceRelease.driverDeviceFree(DRIVER, elsewhere, List.of()), "a driver on a device of its own");
        List<Executor> loopback = List.of(new Executor("0", "127.0.0.1"), new Executor("1", "127.0.0.1"));
        assertFalse(DriverDeviceRelease.driverDeviceFree("127.0.0.1", loopback, List.of()));
        assertFalse(DriverDeviceRelease.driverDeviceFree("127.0.0.1", List.of(), List.of()), "a local master");
    }
}
