package dev.tiletrain.data;

/**
 * Which image fills each slot of each iteration's batch, and how it is transformed, as a pure function of
 * (seed, epoch, iteration, image): any device computing any part of image k at iteration t, in this run or a
 * resumed one, gets the same pixels and boxes. Training walks a fresh permutation of the dataset per epoch
 * (position {@code iteration × batch + slot}, epochs of {@code images} positions) and draws each image's
 * augmentation from its own stream; validation walks the list in order with letterbox and no randomness.
 */
public final class BatchSchedule {
    private static final long ORDER = 0x6f72646572L;
    private static final long AUGMENT = 0x6175676d656e74L;
    private static final long BOXES = 0x626f786573L;

    private final Dataset dataset;
    private final Augmentation augmentation;
    private final int width;
    private final int height;
    private final long seed;
    private final int batch;
    private transient volatile Permutation cached;

    private BatchSchedule(Dataset dataset, Augmentation augmentation, int width, int height, long seed, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        this.dataset = dataset;
        this.augmentation = augmentation;
        this.width = width;
        this.height = height;
        this.seed = seed;
        this.batch = batch;
    }

    public static BatchSchedule training(Dataset dataset, Augmentation augmentation, long seed, int batch) {
        return new BatchSchedule(dataset, augmentation, augmentation.width(), augmentation.height(), seed, batch);
    }

    public static BatchSchedule validation(Dataset dataset, int width, int height, int batch) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("network size must be positive: " + width + "x" + height);
        }
        return new BatchSchedule(dataset, null, width, height, 0, batch);
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batch() {
        return batch;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean training() {
        return augmentation != null;
    }

    public Sample sample(long iteration, int slot) {
        if (iteration < 0 || slot < 0 || slot >= batch) {
            throw new IllegalArgumentException("no slot " + slot + " of iteration " + iteration + " (batch " + batch + ")");
        }
        long position = iteration * batch + slot;
        int n = dataset.size();
        int epoch = Math.toIntExact(position / n);
        int k = (int) (position % n);
        return new Sample(training() ? permutation(epoch)[k] : k, epoch, iteration, slot);
    }

    /** The transform of sample {@code s}, whose original image is {@code imageWidth × imageHeight}. */
    public Transform transform(Sample s, int imageWidth, int imageHeight) {
        if (!training()) {
            return Transform.letterbox(width, height, imageWidth, imageHeight);
        }
        return Transform.random(augmentation, imageWidth, imageHeight, Rng.of(AUGMENT, seed, s.epoch(), s.iteration(), s.image()));
    }

    /** The stream that shuffles the sample's boxes, or null in validation (file order). */
    public Rng boxOrder(Sample s) {
        return training() ? Rng.of(BOXES, seed, s.epoch(), s.iteration(), s.image()) : null;
    }

    private int[] permutation(int epoch) {
        Permutation p = cached;
        if (p == null || p.epoch != epoch) {
            int[] order = new int[dataset.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Rng rng = Rng.of(ORDER, seed, epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.below(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            p = new Permutation(epoch, order);
            cached = p;
        }
        return p.order;
    }

    private record Permutation(int epoch, int[] order) {
    }
}
