package dev.tiletrain.job.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark installation reduced to its {@code jars/} directory, as job/pom.xml copies it from Maven Central
 * into {@code job/target/spark-home}. Master, Worker and the executors a Worker forks all run from it.
 *
 * @param scalaBinaryVersion read from the spark-core jar's name: the Worker's launcher needs it as
 *     {@code SPARK_SCALA_VERSION}, or every executor fails with "Cannot find any build directories"
 */
public record SparkHome(Path dir, String scalaBinaryVersion) {
    /** What fills {@code job/target/spark-home/jars}, run from the repository root. */
    public static final String BUILD_COMMAND = "mvn -B -q package -DskipTests";

    private static final Pattern SPARK_CORE = Pattern.compile("spark-core_(\\d+\\.\\d+)-.*\\.jar");

    public static SparkHome at(Path dir) {
        Path jars = dir.toAbsolutePath().normalize().resolve("jars");
        try (Stream<Path> files = Files.isDirectory(jars) ? Files.list(jars) : Stream.empty()) {
            return files.map(f -> SPARK_CORE.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .findFirst()
                    .map(m -> new SparkHome(jars.getParent(), m.group(1)))
                    .orElseThrow(() -> new ClusterException("no Spark jars in " + jars
                            + "; build them from the repository root with `" + BUILD_COMMAND + "`"));
        } catch (IOException e) {
            throw new ClusterException("cannot list " + jars + ": " + e.getMessage());
        }
    }

    public Path jars() {
        return dir.resolve("jars");
    }

    /** A class path of every jar (the JVM expands the wildcard). */
    public String classpath() {
        return jars() + File.separator + "*";
    }
}
