# Shared settings of the submit/ scripts: source it (`. submit/spark-env.sh || exit 1`), do not run it.
# Everything Spark needs comes from `mvn -B -q package -DskipTests`: job/target/spark-home/jars (Spark and
# its dependencies from Maven Central) and job/target/tiletrain-job.jar.

TILETRAIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TILETRAIN_JOB_JAR="$TILETRAIN_ROOT/job/target/tiletrain-job.jar"
# The cluster's files; set it beforehand to run a second cluster (or a test's) from another directory.
TILETRAIN_CLUSTER_DIR="${TILETRAIN_CLUSTER_DIR:-$TILETRAIN_ROOT/target/cluster}"

# One copy of each setting: the root pom's properties.
tiletrain_pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$TILETRAIN_ROOT/pom.xml"
}
# The module flags Spark's launcher gives its JVMs on Java 17+; a driver started by hand needs them.
TILETRAIN_JVM_FLAGS="$(tiletrain_pom_property spark.jvm.flags)"

# The Worker builds each executor's class path from $SPARK_HOME/jars and refuses to launch executors
# without SPARK_SCALA_VERSION ("Cannot find any build directories").
export SPARK_HOME="$TILETRAIN_ROOT/job/target/spark-home"
export SPARK_SCALA_VERSION="$(tiletrain_pom_property scala.binary.version)"
# Bind to loopback and advertise 127.0.0.1 rather than whatever the host name resolves to.
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_LOCAL_HOSTNAME=127.0.0.1

for tiletrain_needed in "$SPARK_HOME/jars/spark-core_$SPARK_SCALA_VERSION-*.jar" "$TILETRAIN_JOB_JAR"; do
  if ! compgen -G "$tiletrain_needed" >/dev/null; then
    echo "submit: $tiletrain_needed is missing; build it with: (cd $TILETRAIN_ROOT && mvn -B -q package -DskipTests)" >&2
    return 1
  fi
done
