package dev.tiletrain.job.scaling;

import dev.tiletrain.tiles.DeviceProfile;
import java.util.Arrays;
import java.util.List;

/**
 * Fits the four rates of a device profile that no single measurement gives — convolution GFLOP/s as a whole
 * training step achieves them, Spark's cost per stage and per pass, and its CPU cost per megabyte moved — to
 * measured iteration times. The cost model is linear in 1/GFLOP/s, ms per stage, ms per pass and ms per MB
 * (no other term depends on them), so each run's prediction is {@code k + x·flops + a·stages + b·passes +
 * c·megabytes}, its coefficients read off the model itself, and the fit is the least-squares solution of the
 * runs' relative errors.
 */
final class ProfileFit {
    private static final int RATES = 4;

    private ProfileFit() {}

    /** {@code start} with the four rates that best predict the Spark runs among {@code runs}. */
    static DeviceProfile fit(List<ScalingRun> runs, DeviceProfile start) {
        List<ScalingRun> fitted = runs.stream().filter(r -> r.plan().isPresent()).toList();
        if (fitted.size() < RATES) {
            throw new IllegalArgumentException("a fit of " + RATES + " rates needs at least " + RATES
                    + " Spark runs, got " + fitted.size());
        }
        double[][] normal = new double[RATES][RATES];
        double[] rhs = new double[RATES];
        for (ScalingRun r : fitted) {
            double k = seconds(r, start, new double[RATES]);
            double[] x = new double[RATES];
            for (int i = 0; i < RATES; i++) {
                double[] unit = new double[RATES];
                unit[i] = 1;
                x[i] = seconds(r, start, unit) - k;
            }
            double measured = r.seconds(), w = 1 / (measured * measured);
            for (int i = 0; i < RATES; i++) {
                for (int j = 0; j < RATES; j++) {
                    normal[i][j] += w * x[i] * x[j];
                }
                rhs[i] += w * x[i] * (measured - k);
            }
        }
        double[] p = solve(normal, rhs);
        if (!(p[0] > 0 && p[1] > 0 && p[2] > 0 && p[3] > 0)) {
            throw new IllegalArgumentException(String.format("the runs do not determine the rates: 1/GFLOP/s %.4g, "
                    + "s per stage %.4g, s per pass %.4g, s per MB %.4g (each must be positive; add runs that differ "
                    + "in them)", p[0], p[1], p[2], p[3]));
        }
        return start.with(1 / p[0], 1000 * p[1], 1000 * p[2], 1000 * p[3]);
    }

    /**
     * The run's predicted seconds with {@code rates}: seconds per GFLOP, per stage, per pass and per MB through
     * Spark (0 for none: an infinite convolution rate, no cost).
     */
    private static double seconds(ScalingRun r, DeviceProfile p, double[] rates) {
        return r.predict(p.with(rates[0] == 0 ? 1e30 : 1 / rates[0], 1000 * rates[1], 1000 * rates[2], 1000 * rates[3]))
                .orElseThrow().iterationSeconds();
    }

    /** Gaussian elimination with partial pivoting of a small dense system. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = Arrays.copyOf(a[i], n + 1);
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
