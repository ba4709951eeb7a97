package dev.tiletrain.job.rdd;

import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Names the stages created by some work ({@code fwd g1 L5-9 2x2}, {@code grad reduce}): a stage takes the
 * call site of the RDD or action that ends it, and that name is what the UI's stage table, the event log
 * and the REST API show, where a job description would show only on the job.
 */
public final class StageName {
    private StageName() {}

    /** Runs {@code work} (RDD definitions and actions) with its stages named {@code name}. */
    public static <T> T within(JavaSparkContext sc, String name, Supplier<T> work) {
        sc.setCallSite(name);
        try {
            return work.get();
        } finally {
            sc.clearCallSite();
        }
    }
}
