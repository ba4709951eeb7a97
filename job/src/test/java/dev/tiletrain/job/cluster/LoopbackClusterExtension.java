package dev.tiletrain.job.cluster;

import dev.tiletrain.job.KryoClasses;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real loopback standalone cluster for one test class, started and stopped through {@link LoopbackCluster}
 * exactly as {@code submit/cluster} does, on free ports and in its own directory
 * ({@code target/test-clusters/<TestClass>}). It is stopped after the class, whether its tests pass or
 * not, and by a shutdown hook if the JVM ends first.
 *
 * <pre>{@code @RegisterExtension static final LoopbackClusterExtension CLUSTER = new LoopbackClusterExtension(2);}</pre>
 */
public final class LoopbackClusterExtension implements BeforeAllCallback, AfterAllCallback {
    private final int workers;
    private LoopbackCluster cluster;
    private LoopbackCluster.Running running;
    private ClusterSpec spec;
    private Thread stopOnExit;

    public LoopbackClusterExtension(int workers) {
        this.workers = workers;
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
        ClusterLayout layout = new ClusterLayout(
                moduleDir().resolve("target/test-clusters").resolve(context.getRequiredTestClass().getSimpleName()));
        cluster = new LoopbackCluster(sparkHome(), layout);
        cluster.stop(); // Whatever a killed earlier run of this class left behind.
        int[] ports = freePorts(2);
        spec = ClusterSpec.defaults().withWorkers(workers).withMasterPort(ports[0]).withWebUiPort(ports[1])
                .withWorkerWebUiBase(0);
        stopOnExit = new Thread(cluster::stop, "stop loopback cluster");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        running = cluster.start(spec, line -> System.out.println("[cluster] " + line));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            cluster.stop();
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
    }

    public LoopbackCluster cluster() {
        return cluster;
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

    /**
     * A driver configuration for this cluster: loopback addresses, 512m executors, Kryo with registration
     * required, no UI (tests that read the REST API turn it on), and the compiled classes of this module and
     * the modules it needs (the registrator names their classes) on the executors' class path, since no
     * application jar is shipped.
     */
    public SparkConf driverConf(String appName) {
        Path module = moduleDir();
        return new SparkConf().setMaster(masterUrl()).setAppName(appName)
                .set("spark.driver.host", ClusterSpec.LOOPBACK)
                .set("spark.driver.bindAddress", ClusterSpec.LOOPBACK)
                .set("spark.executor.memory", "512m")
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
