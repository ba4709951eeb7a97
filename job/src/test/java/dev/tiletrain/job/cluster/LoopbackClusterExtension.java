package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tiletrain.job.KryoClasses;
import dev.tiletrain.tiles.DeviceLimits;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real standalone cluster for one test class, started and stopped through {@link LoopbackCluster} exactly
 * as {@code submit/cluster} does, on free ports and in its own directory
 * ({@code target/test-clusters/<TestClass>[-<name>]}): on loopback, or with {@link #emulated} on a test bed of
 * emulated devices; secured as {@code submit/cluster start} secures it unless {@link #insecure}. It is
 * stopped after the class, whether its tests pass or not, and by a shutdown hook if the JVM ends first. An
 * emulated cluster skips the class, saying why, where this machine cannot have a test bed at all (not root,
 * no cgroup v1 cpu and memory controllers); a missing tool fails it.
 *
 * <pre>{@code @RegisterExtension static final LoopbackClusterExtension CLUSTER = new LoopbackClusterExtension(2);}</pre>
 */
public final class LoopbackClusterExtension implements BeforeAllCallback, AfterAllCallback {
    /**
     * The JIT option of the test clusters' executors and of the drivers the tests start: C1 only. A test trains a
     * few iterations of a tiny network, and C2's compilations of Spark, Netty, Kryo and tiletrain take more CPU
     * than the run (3 executors and a driver warming up on 2 cores: iteration 1 took ~10 s with C2, 4–6 s
     * without). Results are the same bits in every tier: Java's float arithmetic is strict (JLS 15.4).
     */
    public static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";

    private final int workers;
    private final DeviceLimits limits;
    private final String name;
    private final boolean secured;
    private LoopbackCluster cluster;
    /** The test class that registered the extension; its {@code @Nested} classes share its cluster. */
    private Class<?> owner;
    private ClusterLayout layout;
    private LoopbackCluster.Running running;
    private ClusterSpec spec;
    private Thread stopOnExit;

    public LoopbackClusterExtension(int workers) {
        this(workers, DeviceLimits.NONE, "", true);
    }

    private LoopbackClusterExtension(int workers, DeviceLimits limits, String name, boolean secured) {
        this.workers = workers;
        this.limits = limits;
        this.name = name;
        this.secured = secured;
    }

    /** A cluster of emulated devices under {@code limits} (in its own directory, beside a loopback one). */
    public static LoopbackClusterExtension emulated(int workers, DeviceLimits limits) {
        return new LoopbackClusterExtension(workers, limits, "testbed", true);
    }

    /** This cluster started as {@code submit/cluster start --insecure} starts it: no secret, nothing encrypted. */
    public LoopbackClusterExtension insecure() {
        return new LoopbackClusterExtension(workers, limits, name, false);
    }

    /** Why this machine cannot have a test bed at all, if it cannot. */
    public static Optional<String> noTestBedHere() {
        long uid = TestBedHost.effectiveUid();
        if (uid != 0) {
            return Optional.of("the test bed needs root; this is uid " + uid);
        }
        for (String c : List.of("cpu/cpu.cfs_quota_us", "memory/memory.limit_in_bytes")) {
            if (!Files.isRegularFile(TestBedHost.CGROUP_FS.resolve(c))) {
                return Optional.of("the test bed needs cgroup v1 cpu and memory controllers; no "
                        + TestBedHost.CGROUP_FS.resolve(c));
            }
        }
        return Optional.empty();
    }

    /** The job module's directory: surefire runs there and says so in {@code basedir}. */
    public static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    public static SparkHome sparkHome() {
        return SparkHome.at(moduleDir().resolve("target/spark-home"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (owner != null) {
            return; // A @Nested class of the class that registered it: that class's cluster serves it too.
        }
        owner = context.getRequiredTestClass();
        if (limits.any()) {
            Optional<String> why = noTestBedHere();
            assumeTrue(why.isEmpty(), () -> why.get());
        }
        String dir = context.getRequiredTestClass().getSimpleName() + (name.isEmpty() ? "" : "-" + name);
        layout = new ClusterLayout(moduleDir().resolve("target/test-clusters").resolve(dir));
        cluster = new LoopbackCluster(sparkHome(), layout);
        cluster.stop(); // Whatever a killed earlier run of this class left behind.
        int[] ports = freePorts(2);
        spec = ClusterSpec.defaults().withWorkers(workers).withMasterPort(ports[0]).withWebUiPort(ports[1])
                .withWorkerWebUiBase(0).withSecured(secured);
        if (limits.any()) {
            spec = spec.withLimits(limits, Optional.empty());
        }
        stopOnExit = new Thread(cluster::stop, "stop loopback cluster");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        running = cluster.start(spec, line -> System.out.println("[cluster] " + line));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getRequiredTestClass() != owner) {
            return; // A @Nested class's end: its enclosing class still runs on the cluster.
        }
        owner = null;
        if (cluster == null) {
            return; // Skipped.
        }
        try {
            cluster.stop();
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
    }

    public LoopbackCluster cluster() {
        return cluster;
    }

    public ClusterLayout layout() {
        return layout;
    }

    /** The test bed of an emulated cluster. */
    public TestBedState testBed() {
        return running.testBed().orElseThrow(() -> new IllegalStateException("a loopback cluster has no test bed"));
    }

    /** The command words that run a program on device {@code i} (1-based) of the test bed. */
    public List<String> onDevice(int i) {
        return TestBed.enter(TestBedHost.check(false), testBed().devices().get(i - 1));
    }

    /** The driver's address: loopback, or the test bed's bridge (this JVM runs on the Master's side). */
    public String driverHost() {
        return running.testBed().map(TestBedState::bridgeAddress).orElse(ClusterSpec.LOOPBACK);
    }

    public ClusterSpec spec() {
        return spec;
    }

    public String masterUrl() {
        return running.masterUrl();
    }

    public URI masterWebUi() {
        return running.masterWebUi();
    }

    /** Starts Worker {@code i} (1-based) again after a test killed it, and waits until it registers. */
    public void restartWorker(int i) {
        cluster.restartWorker(spec, i, line -> System.out.println("[cluster] " + line));
    }

    /** The secret of a secured cluster ({@code secret} of its directory). */
    public String secret() {
        return SecretFile.read(layout.secret());
    }

    /**
     * A driver configuration for this cluster: {@link #driverHost}, 512m executors, Kryo with registration
     * required, no UI (tests that read the REST API turn it on), and the compiled classes of this module and
     * the modules it needs (the registrator names their classes) on the executors' class path, since no
     * application jar is shipped. On a secured cluster, its driver settings and its secret (in this JVM only).
     */
    public SparkConf driverConf(String appName) {
        Path module = moduleDir();
        SparkConf conf = new SparkConf();
        if (secured) {
            ClusterSecurity.DRIVER_CONF.forEach(conf::set);
            conf.set(ClusterSecurity.SECRET_KEY, secret());
        }
        return conf.setMaster(masterUrl()).setAppName(appName)
                .set("spark.driver.host", driverHost())
                .set("spark.driver.bindAddress", driverHost())
                .set("spark.executor.memory", "512m")
                .set("spark.executor.extraJavaOptions", QUICK_JIT)
                .set("spark.executor.extraClassPath", String.join(File.pathSeparator,
                        module.resolve("target/classes").toString(), module.resolve("target/test-classes").toString(),
                        module.resolve("../ops/target/classes").normalize().toString(),
                        module.resolve("../tiles/target/classes").normalize().toString(),
                        module.resolve("../data/target/classes").normalize().toString()))
                .set("spark.ui.enabled", "false")
                .setAll(scala.jdk.javaapi.CollectionConverters.asScala(KryoClasses.sparkConf()));
    }

    /** Distinct free ports on the loopback address, all held until all are found. */
    public static int[] freePorts(int n) {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(ClusterSpec.LOOPBACK));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    if (s != null) {
                        s.close();
                    }
                } catch (IOException e) {
                    // Closing a probe socket cannot matter.
                }
            }
        }
    }
}
