package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.util.Utils;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

class ClusterSecurityTest {
    private static final Map<String, String> ENVIRONMENT = Map.of(ClusterSecurity.SECRET_ENV, "from-environment");

    @Test
    void anAuthenticatingDriverTakesTheSecretFromTheEnvironment() {
        SparkConf conf = new SparkConf(false).set("spark.authenticate", "true");
        ClusterSecurity.secretFromEnvironment(conf, ENVIRONMENT);
        assertEquals("from-environment", conf.get(ClusterSecurity.SECRET_KEY));
    }

    @Test
    void aSecretAlreadySetIsKept() {
        SparkConf conf = new SparkConf(false).set("spark.authenticate", "true").set(ClusterSecurity.SECRET_KEY, "set");
        ClusterSecurity.secretFromEnvironment(conf, ENVIRONMENT);
        assertEquals("set", conf.get(ClusterSecurity.SECRET_KEY));
    }

    /** A driver that does not authenticate has no use for a secret, and Spark should not be shown one. */
    @Test
    void aDriverThatDoesNotAuthenticateTakesNoSecret() {
        SparkConf conf = new SparkConf(false);
        ClusterSecurity.secretFromEnvironment(conf, ENVIRONMENT);
        assertFalse(conf.contains(ClusterSecurity.SECRET_KEY));
        ClusterSecurity.secretFromEnvironment(conf.set("spark.authenticate", "true"), Map.of());
        assertFalse(conf.contains(ClusterSecurity.SECRET_KEY));
    }

    /**
     * Spark's default {@code spark.redaction.regex}, which the event log, the UI's environment page and
     * spark-submit's printout go through, hides the secret's value and leaves the other settings readable.
     */
    @Test
    void sparksRedactionHidesTheSecretAndOnlyIt() {
        Map<String, String> settings = new LinkedHashMap<>(ClusterSecurity.DRIVER_CONF);
        settings.put(ClusterSecurity.SECRET_KEY, "s3cret");
        SparkConf conf = new SparkConf(false);
        List<Tuple2<String, String>> pairs = new ArrayList<>();
        settings.forEach((k, v) -> pairs.add(new Tuple2<>(k, v)));
        Map<String, String> shown = new LinkedHashMap<>();
        CollectionConverters.asJava(Utils.redact(conf, CollectionConverters.asScala(pairs).toSeq()))
                .forEach(kv -> shown.put(kv._1(), kv._2()));
        settings.put(ClusterSecurity.SECRET_KEY, "*********(redacted)");
        assertEquals(settings, shown);
    }
}
