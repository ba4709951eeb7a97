package dev.tiletrain.job.cluster;

import java.net.ConnectException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEnv;
import scala.Option;

/**
 * Asks a standalone master, before the driver starts, whether it accepts this driver's credentials: the
 * lookup of its endpoint that Spark's application client makes first, over the same authenticated and
 * encrypted RPC. A master that refuses would leave Spark's client retrying for 60 s (three attempts 20 s
 * apart, fixed in {@code StandaloneAppClient}), printing a stack trace each time, and then stopping the
 * SparkContext under the job; this says why in one line within a few seconds.
 */
public final class MasterHandshake {
    private static final String ENDPOINT = "Master";
    private static final String SCHEME = "spark://";
    /** Spark's own wait for one registration attempt. */
    private static final String LOOKUP_TIMEOUT = "20s";
    /**
     * What a secured master answers a message that is not part of an authentication handshake: without and
     * with Spark's fallback to its older SASL handshake ({@code spark.network.crypto.saslFallback}).
     */
    private static final List<String> NEEDS_AUTHENTICATION = List.of("Unknown challenge message",
            "Expected SaslMessage");
    /** Spark's RPC client, which logs the refusal this check expects as errors with stack traces. */
    private static final String RPC_CLIENT_LOGGER = "org.apache.spark.network";

    private MasterHandshake() {}

    /**
     * Throws {@link ClusterException} saying what to change if a standalone master ({@code spark.master} of
     * {@code spark://}, each master of an HA list) refuses this driver's credentials. A master that cannot be
     * reached is left to Spark's own start, which reports it; other masters are not asked.
     */
    public static void check(SparkConf driver) {
        String master = driver.get("spark.master", "");
        if (!master.startsWith(SCHEME)) {
            return;
        }
        for (String hostPort : master.substring(SCHEME.length()).split(",")) {
            check(driver, SCHEME + hostPort);
        }
    }

    private static void check(SparkConf driver, String master) {
        SparkConf conf = driver.clone().set("spark.rpc.lookupTimeout", LOOKUP_TIMEOUT);
        boolean authenticates = conf.getBoolean("spark.authenticate", false);
        SecurityManager security = new SecurityManager(conf, Option.empty(),
                org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE());
        if (authenticates && !hasSecret(security)) {
            throw new ClusterException("spark.authenticate is true but this driver has no secret: set "
                    + ClusterSecurity.SECRET_KEY + " (in a spark-defaults.conf only you can read) or "
                    + ClusterSecurity.SECRET_ENV);
        }
        Level level = LogManager.getLogger(RPC_CLIENT_LOGGER).getLevel();
        Configurator.setLevel(RPC_CLIENT_LOGGER, Level.OFF);
        // A client-mode RpcEnv opens no server, so the host it is given is not used.
        RpcEnv rpc = RpcEnv.create("tiletrain-master-check", "localhost", 0, conf, security, true);
        try {
            rpc.setupEndpointRef(RpcAddress.fromSparkURL(master), ENDPOINT);
        } catch (Exception e) { // Scala throws SparkException undeclared.
            Optional<String> refusal = refusal(master, authenticates, e);
            if (refusal.isPresent()) {
                throw new ClusterException(refusal.get());
            }
        } finally {
            rpc.shutdown();
        }
        // Not after a refusal: the client's connection thread, interrupted by the shutdown, still logs that as an
        // error with a stack trace, and the driver stops right after it.
        Configurator.setLevel(RPC_CLIENT_LOGGER, level);
    }

    /** What a failed lookup means when it is the master refusing this driver's credentials. */
    static Optional<String> refusal(String master, boolean authenticates, Throwable failure) {
        boolean unreachable = false;
        boolean needsAuthentication = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            unreachable |= t instanceof ConnectException || t instanceof TimeoutException;
            String message = String.valueOf(t.getMessage());
            needsAuthentication |= NEEDS_AUTHENTICATION.stream().anyMatch(message::contains);
        }
        if (!authenticates && needsAuthentication) {
            return Optional.of("the master " + master + " refused this driver: the cluster is secured "
                    + "(spark.authenticate) and the driver has no secret; give it the cluster's secret (README.md, "
                    + "\"Security\")");
        }
        if (authenticates && !unreachable) {
            return Optional.of("the master " + master + " closed the connection while authenticating this driver: "
                    + "the driver's secret or its spark.network.crypto.* settings are not the cluster's, or the "
                    + "cluster is not secured (started with --insecure)");
        }
        return Optional.empty();
    }

    private static boolean hasSecret(SecurityManager security) {
        try {
            return security.getSecretKey() != null;
        } catch (IllegalArgumentException noSecret) {
            return false;
        }
    }
}
