package dev.tiletrain.job.metrics;

import dev.tiletrain.job.cluster.TestBedMeter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per iteration, what each emulated device's link carried (the difference of its counters, in and out) and
 * its peak memory (the device's peak is restarted at each iteration's start).
 */
public final class DeviceSampler {
    private final TestBedMeter meter;
    private Map<String, Long> before = Map.of();

    public DeviceSampler(TestBedMeter meter) {
        this.meter = meter;
    }

    /** The devices, in order. */
    public List<String> devices() {
        return meter.read().stream().map(TestBedMeter.DeviceReading::device).toList();
    }

    /** At an iteration's start. */
    public void start() {
        before = linkBytes(meter.read());
        meter.resetPeaks();
    }

    /** At its end: each device's bytes over its link since {@link #start} and its peak memory meanwhile. */
    public Map<String, DriverIteration.DeviceSample> end() {
        Map<String, DriverIteration.DeviceSample> samples = new HashMap<>();
        for (TestBedMeter.DeviceReading r : meter.read()) {
            long link = r.rxBytes() + r.txBytes() - before.getOrDefault(r.device(), 0L);
            samples.put(r.device(), new DriverIteration.DeviceSample(link, r.peakMemoryBytes()));
        }
        return samples;
    }

    private static Map<String, Long> linkBytes(List<TestBedMeter.DeviceReading> readings) {
        Map<String, Long> bytes = new HashMap<>();
        readings.forEach(r -> bytes.put(r.device(), r.rxBytes() + r.txBytes()));
        return bytes;
    }
}
