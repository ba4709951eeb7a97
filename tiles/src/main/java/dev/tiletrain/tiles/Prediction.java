package dev.tiletrain.tiles;

/**
 * What the cost model predicts for one training iteration of a plan on a cluster of identical devices.
 * Times in seconds, sizes in bytes; {@code deviceMemory} is each device's peak heap for tensors and
 * parameters (see {@link CostModel}); per-boundary halo bytes count one pass in one direction (backward
 * moves as much); {@code linkBytes} is what each device's link carries in the iteration, in and out;
 * {@code stageSeconds} is Spark's fixed cost of the iteration: per stage and per pass; {@code copySeconds} is
 * the CPU time of moving tensors through Spark beside the links' time; {@code overlapSeconds} is the time
 * overlapped passes hide (tiles of one pass while the driver runs another's tail), 0 one pass at a time.
 */
public record Prediction(long[] deviceMemory, double computeSeconds, double haloSeconds, double tailSeconds,
                         double syncSeconds, double stageSeconds, double copySeconds, double reduceSeconds,
                         double overlapSeconds, long[] haloBytes, int syncRounds, int stages, double[] redundancy, long[] linkBytes) {
    public double iterationSeconds() {
        return computeSeconds + haloSeconds + tailSeconds + syncSeconds + stageSeconds + copySeconds + reduceSeconds
                - overlapSeconds;
    }

    public long peakMemory() {
        long m = 0;
        for (long d : deviceMemory) {
            m = Math.max(m, d);
        }
        return m;
    }
}
