package dev.tiletrain.job.cluster;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;

/**
 * The Spark settings of a secured cluster, and how its secret reaches each process without ever being on a
 * command line (which {@code ps} shows every user).
 *
 * <p>Master and Workers get the secret in Spark's environment variable {@link #SECRET_ENV}, which
 * {@code SecurityManager.getSecretKey} reads before {@code spark.authenticate.secret}; a Worker hands its
 * own secret to every executor it launches in that same variable (Spark's {@code CommandUtils}). The driver
 * gets it in that variable too, but Spark's standalone driver will not start without
 * {@code spark.authenticate.secret} in its configuration ({@code SecurityManager.initializeAuth}), so
 * {@link #secretFromEnvironment} copies it there, inside the driver's JVM. Spark leaves that key out of the
 * executors' command lines and its default {@code spark.redaction.regex} ({@code (?i)secret|password|...})
 * hides it in the event log and the UI. {@code spark.authenticate.secret.file} is no use here: Spark 4.2
 * reads it on Kubernetes only.
 */
public final class ClusterSecurity {
    /** Spark's environment variable for the shared secret. */
    public static final String SECRET_ENV = "_SPARK_AUTH_SECRET";
    public static final String SECRET_KEY = "spark.authenticate.secret";

    /**
     * What Master, Workers and every driver and executor set: authenticate each connection with the secret,
     * encrypt it with keys derived from it in AES-GCM, which also detects tampering (Spark's default, AES-CTR,
     * does not), and refuse clients of Spark's older SASL handshake, which would authenticate but leave the
     * connection unencrypted. Spark passes these (all {@code spark.auth*} and {@code spark.network.*} keys) to
     * the executors on their command lines.
     */
    public static final Map<String, String> DAEMON_CONF;
    /** The driver's settings: the daemons' and encrypted shuffle and spill files (their key is the driver's). */
    public static final Map<String, String> DRIVER_CONF;

    static {
        Map<String, String> daemon = new LinkedHashMap<>();
        daemon.put("spark.authenticate", "true");
        daemon.put("spark.network.crypto.enabled", "true");
        daemon.put("spark.network.crypto.cipher", "AES/GCM/NoPadding");
        daemon.put("spark.network.crypto.saslFallback", "false");
        DAEMON_CONF = Collections.unmodifiableMap(daemon);
        Map<String, String> driver = new LinkedHashMap<>(daemon);
        driver.put("spark.io.encryption.enabled", "true");
        DRIVER_CONF = Collections.unmodifiableMap(driver);
    }

    private ClusterSecurity() {}

    /**
     * Sets {@code spark.authenticate.secret} from {@link #SECRET_ENV} when authentication is on and the key is
     * not set already: the one place Spark's standalone driver needs the secret as a setting.
     */
    public static SparkConf secretFromEnvironment(SparkConf conf, Map<String, String> environment) {
        String secret = environment.get(SECRET_ENV);
        if (conf.getBoolean("spark.authenticate", false) && !conf.contains(SECRET_KEY) && secret != null
                && !secret.isEmpty()) {
            conf.set(SECRET_KEY, secret);
        }
        return conf;
    }

    /** {@link #DRIVER_CONF} as one line of {@code key=value} words, as cluster.properties gives it to submit/train. */
    static String driverConfWords() {
        StringBuilder words = new StringBuilder();
        DRIVER_CONF.forEach((k, v) -> words.append(words.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return words.toString();
    }
}
