package dev.tiletrain.job.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** submit/spark-env.sh reads its settings out of the root pom: check what it reads. */
class SparkEnvScriptTest {
    private static List<String> sourced(String... variables) throws IOException, InterruptedException {
        Path root = LoopbackClusterExtension.moduleDir().getParent();
        StringBuilder script = new StringBuilder(". submit/spark-env.sh >/dev/null 2>&1;");
        for (String v : variables) {
            script.append(" echo \"$").append(v).append("\";");
        }
        Process bash = new ProcessBuilder("bash", "-c", script.toString()).directory(root.toFile()).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        bash.waitFor();
        return List.of(output.split("\n", -1));
    }

    @Test
    void theDriverFlagsHoldEverySparkModuleOption() throws Exception {
        List<String> flags = List.of(sourced("TILETRAIN_JVM_FLAGS").get(0).split(" "));
        for (String option : JavaModuleOptions.defaultModuleOptionArray()) {
            assertTrue(flags.contains(option), "missing " + option + " in " + flags);
        }
    }

    @Test
    void sparkHomeAndScalaVersionMatchTheResolvedJars() throws Exception {
        List<String> values = sourced("SPARK_HOME", "SPARK_SCALA_VERSION", "SPARK_LOCAL_IP", "SPARK_LOCAL_HOSTNAME");
        SparkHome jars = LoopbackClusterExtension.sparkHome();
        assertEquals(Arrays.asList(jars.dir().toString(), jars.scalaBinaryVersion(), "127.0.0.1", "127.0.0.1"),
                values.subList(0, 4));
    }
}
