package dev.tiletrain.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped profiles load, and a bad profile file is refused naming the file and the key. */
class DeviceProfileTest {
    @Test
    void thePi3ProfileHasItsSourcedNumbers() {
        DeviceProfile pi = DeviceProfile.load(ConfFiles.of("profiles/pi3.properties"));
        assertEquals("pi3", pi.name());
        assertEquals(3.0, pi.convGflops(1));
        assertEquals(4.2, pi.convGflops(2));
        assertEquals(4.2, pi.convGflops(3), "3 threads use the 2-thread rate");
        assertEquals(5.4, pi.convGflops(8), "more than 4 threads use the 4-thread rate");
        assertEquals(200L << 20, pi.memoryBytes());
        assertEquals(94, pi.linkMbps());
        assertEquals(4, pi.cores());
    }

    @Test
    void theMeasuredProfileOfThisMachineLoads() {
        DeviceProfile here = DeviceProfile.load(ConfFiles.of("profiles/this-machine.properties"));
        assertEquals("this-machine", here.name());
        assertTrue(here.convGflops(1) > 0 && here.memoryGBps() > 0);
    }

    @Test
    void theEmulatedPi3ProfileSaysHowTheTestBedEmulatesIt() {
        DeviceProfile emulated = DeviceProfile.load(ConfFiles.of("profiles/pi3-emulated.properties"));
        DeviceLimits bed = emulated.testBed();
        assertEquals(0.4, bed.cpuShare().getAsDouble());
        assertEquals(1024L << 20, bed.memoryBytes().getAsLong());
        assertEquals(478, bed.linkMbit().getAsDouble());
        assertTrue(bed.latencyMs().isEmpty(), "no delay: it would need netem");
        assertEquals(1, emulated.cores());
    }

    @Test
    void aProfileWithoutTestBedKeysIsNotEmulated() {
        assertEquals(DeviceLimits.NONE, DeviceProfile.load(ConfFiles.of("profiles/pi3.properties")).testBed());
    }

    @Test
    void aPartialTestBedLeavesTheOtherLimitsUnset(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("partial.properties");
        Files.writeString(f, Files.readString(ConfFiles.of("profiles/pi3.properties")) + "testbed.link.mbit=100\n");
        DeviceLimits bed = DeviceProfile.load(f).testBed();
        assertEquals(DeviceLimits.NONE.withLinkMbit(100), bed);
        assertTrue(bed.any());
        Path bad = dir.resolve("bad.properties");
        assertEquals(bad + ": key 'testbed.cpu': '-0.4' is not a positive number",
                refusal(bad, Files.readString(ConfFiles.of("profiles/pi3.properties")) + "testbed.cpu=-0.4\n"));
    }

    @Test
    void theDriversShareIsBelowAWholeDevice(@TempDir Path dir) throws Exception {
        String pi = Files.readString(ConfFiles.of("profiles/pi3.properties"));
        assertEquals(0.35, DeviceProfile.load(ConfFiles.of("profiles/pi3.properties")).driverShare());
        Path whole = dir.resolve("whole.properties");
        assertEquals(whole + ": key 'driver.share': '1' is not a number in [0, 1)",
                refusal(whole, pi.replace("driver.share=0.35", "driver.share=1")));
        Path none = dir.resolve("none.properties");
        Files.writeString(none, pi.replace("driver.share=0.35", "driver.share=0"));
        assertEquals(0, DeviceProfile.load(none).driverShare());
    }

    @Test
    void anUnknownKeyIsNamedWithTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("typo.properties");
        Files.writeString(f, Files.readString(ConfFiles.of("profiles/pi3.properties")) + "link.mpbs=94\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.load(f));
        assertTrue(e.getMessage().startsWith(f + ": unknown keys [link.mpbs]"), e.getMessage());
    }

    @Test
    void aMissingOrNonPositiveValueIsNamed(@TempDir Path dir) throws Exception {
        String pi = Files.readString(ConfFiles.of("profiles/pi3.properties"));
        Path missing = dir.resolve("missing.properties");
        assertEquals(missing + ": missing key 'cores'", refusal(missing, pi.replace("cores=4", "")));
        Path zero = dir.resolve("zero.properties");
        assertEquals(zero + ": key 'link.mbps': '0' is not a positive number",
                refusal(zero, pi.replace("link.mbps=94", "link.mbps=0")));
    }

    /** Writes {@code text} to {@code file} and returns why loading it as a profile fails. */
    private static String refusal(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return assertThrows(IllegalArgumentException.class, () -> DeviceProfile.load(file)).getMessage();
    }
}
