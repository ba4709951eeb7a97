# OpenBLAS's kernels for this CPU: source it (`. submit/openblas-core.sh`) before starting a JVM that trains.
# Debian 12's OpenBLAS (0.3.21) does not know AMD's Zen 4 and Zen 5 and runs its AVX2 (Haswell) kernels there:
# on a Zen 5 VM sgemm ran 104-107 GFLOP/s a core with them and 200-202 with OPENBLAS_CORETYPE=SkylakeX (2048³,
# 2026-12-07; README, Performance). So on any x86_64 CPU with the AVX-512 subsets SkylakeX's kernels use, and
# unless the caller chose, ask for them (on Intel CPUs that have them OpenBLAS picks them itself).
# The Spark driver hands the value to its executors (spark.executorEnv.OPENBLAS_CORETYPE), so that every
# process of a run computes with the same kernels.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
  tiletrain_flags=$(grep -m1 '^flags' /proc/cpuinfo)
  if [[ " $tiletrain_flags " == *" avx512f "* && " $tiletrain_flags " == *" avx512bw "* \
        && " $tiletrain_flags " == *" avx512dq "* && " $tiletrain_flags " == *" avx512vl "* ]]; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
  unset tiletrain_flags
fi
