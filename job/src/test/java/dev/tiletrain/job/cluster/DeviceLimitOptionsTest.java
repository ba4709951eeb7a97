package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiletrain.tiles.DeviceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's limits: tc's bit-rate units and times, a share of a core, a profile's testbed.* keys. */
class DeviceLimitOptionsTest {
    private static final Path PROFILES = LoopbackClusterExtension.moduleDir().resolve("../conf/profiles").normalize();

    @ParameterizedTest
    @CsvSource({"50mbit, 50", "100MBIT, 100", "1gbit, 1000", "500kbit, 0.5", "2500000bit, 2.5", "0.5mbit, 0.5"})
    void ratesAreBitsPerSecond(String rate, double mbit) {
        assertEquals(mbit, DeviceLimitOptions.linkMbit(rate), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"50mbps", "50", "fast", "-1mbit", "0mbit", "50 mbit"})
    void otherRatesAreRefusedWithTheUnitsThatWork(String rate) {
        ClusterException e = assertThrows(ClusterException.class, () -> DeviceLimitOptions.linkMbit(rate));
        assertEquals("--link " + rate + " is not a rate like 50mbit, 100mbit or 1gbit (bits per second: bit, kbit, mbit,"
                + " gbit)", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0.3ms, 0.3", "300us, 0.3", "2ms, 2", "1s, 1000"})
    void latenciesAreTimes(String time, double ms) {
        assertEquals(ms, DeviceLimitOptions.latencyMs(time), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3", "soon", "0ms", "3 ms"})
    void otherLatenciesAreRefused(String time) {
        ClusterException e = assertThrows(ClusterException.class, () -> DeviceLimitOptions.latencyMs(time));
        assertTrue(e.getMessage().startsWith("--latency " + time + " is not a time like 0.3ms"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.4", "lots", "NaN", "Infinity"})
    void aCpuShareIsAPositiveNumber(String share) {
        ClusterException e = assertThrows(ClusterException.class, () -> DeviceLimitOptions.cpuShare(share));
        assertEquals("--cpu " + share + " is not a share of one core like 0.4 (or 2 for two cores)", e.getMessage());
    }

    @Test
    void theEmulatedPi3ProfileGivesItsLimits() {
        DeviceLimits limits = DeviceLimitOptions.profile(PROFILES, "pi3-emulated");
        assertEquals(0.4, limits.cpuShare().getAsDouble());
        assertEquals(1L << 30, limits.memoryBytes().getAsLong());
        assertEquals(478, limits.linkMbit().getAsDouble());
    }

    @Test
    void aProfileWithoutTestBedKeysOrNoProfileIsNamed(@TempDir Path dir) throws Exception {
        ClusterException plain = assertThrows(ClusterException.class, () -> DeviceLimitOptions.profile(PROFILES, "pi3"));
        assertTrue(plain.getMessage().contains("has none of the keys testbed.cpu, testbed.memory.mb"), plain.getMessage());
        ClusterException none = assertThrows(ClusterException.class, () -> DeviceLimitOptions.profile(PROFILES, "pi4"));
        assertEquals("--profile pi4: neither a file nor a profile in " + PROFILES, none.getMessage());
        Path typo = dir.resolve("typo.properties");
        Files.writeString(typo, Files.readString(PROFILES.resolve("pi3-emulated.properties")) + "testbed.cpus=1\n");
        ClusterException bad = assertThrows(ClusterException.class, () -> DeviceLimitOptions.profile(PROFILES, typo.toString()));
        assertTrue(bad.getMessage().startsWith("--profile " + typo + ": " + typo + ": unknown keys [testbed.cpus]"),
                bad.getMessage());
    }
}
