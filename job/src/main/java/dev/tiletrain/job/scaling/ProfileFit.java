package dev.tiletrain.job.scaling;

import dev.tiletrain.tiles.DeviceProfile;
import dev.tiletrain.tiles.Prediction;
import java.util.List;

/**
 * Fits the three rates of a device profile that no single measurement gives — convolution GFLOP/s as a whole
 * training step achieves them, Spark's cost per stage, and its CPU cost per megabyte moved — to measured
 * iteration times. The cost model is linear in 1/GFLOP/s, ms per stage and ms per MB (every other term does
 * not depend on them), so each run's prediction is {@code k + x·flops + a·stages + c·megabytes}, read off the
 * model itself, and the fit is the least-squares solution of the runs' relative errors.
 */
final class ProfileFit {
    private ProfileFit() {}

    /** {@code start} with the three rates that best predict the Spark runs among {@code runs}. */
    static DeviceProfile fit(List<ScalingRun> runs, DeviceProfile start) {
        List<ScalingRun> fitted = runs.stream().filter(r -> r.plan().isPresent()).toList();
        if (fitted.size() < 3) {
            throw new IllegalArgumentException("a fit of three rates needs at least three Spark runs, got " + fitted.size());
        }
        double[][] normal = new double[3][3];
        double[] rhs = new double[3];
        for (ScalingRun r : fitted) {
            double k = seconds(r, start, 0, 0, 0);
            double[] x = {seconds(r, start, 1, 0, 0) - k, seconds(r, start, 0, 1, 0) - k, seconds(r, start, 0, 0, 1) - k};
            double measured = r.seconds(), w = 1 / (measured * measured);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    normal[i][j] += w * x[i] * x[j];
                }
                rhs[i] += w * x[i] * (measured - k);
            }
        }
        double[] p = solve(normal, rhs);
        if (!(p[0] > 0 && p[1] > 0 && p[2] > 0)) {
            throw new IllegalArgumentException(String.format("the runs do not determine the rates: 1/GFLOP/s %.4g, "
                    + "s per stage %.4g, s per MB %.4g (each must be positive; add runs that differ in them)", p[0], p[1], p[2]));
        }
        return start.with(1 / p[0], 1000 * p[1], 1000 * p[2], start.linkMbps());
    }

    /**
     * The run's predicted seconds with {@code perGflop} seconds per GFLOP, {@code perStage} seconds per stage and
     * {@code perMb} seconds per MB through Spark (0 for none: a huge rate, no cost).
     */
    private static double seconds(ScalingRun r, DeviceProfile p, double perGflop, double perStage, double perMb) {
        Prediction q = r.predict(p.with(perGflop == 0 ? 1e30 : 1 / perGflop, 1000 * perStage, 1000 * perMb,
                p.linkMbps())).orElseThrow();
        return q.iterationSeconds();
    }

    /** Gaussian elimination with partial pivoting of a small dense system. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = java.util.Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            if (m[c][c] == 0) {
                throw new IllegalArgumentException("singular system: the runs do not separate the rates");
            }
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k <= n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int k = r + 1; k < n; k++) {
                s -= m[r][k] * x[k];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }
}
