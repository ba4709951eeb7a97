package dev.tiletrain.ops.optim;

/**
 * Darknet's {@code *net.seen}, the count of images trained on, through a run that starts at {@code before}
 * (the {@code seen} of the {@code .weights} file it starts from, or 0 as after Darknet's {@code -clear}) and
 * updates the weights once per {@code updateBatch} images. Darknet derives the batch number from it
 * ({@code get_current_batch}: seen / (batch × subdivisions)), and from that the learning rate and the end of
 * training at {@code max_batches}; it writes it into every {@code .weights} header; and {@code [region]}
 * pulls predictions towards their anchors only while it is below 12800.
 */
public record ImagesSeen(long before, int updateBatch) {
    public ImagesSeen {
        if (before < 0 || updateBatch < 1) {
            throw new IllegalArgumentException("images seen " + before + " and batch " + updateBatch
                    + " must be ≥ 0 and ≥ 1");
        }
    }

    /**
     * The batch number of the update that ends iteration {@code iteration} of this run (1 for its first):
     * {@code (before + iteration·updateBatch) / updateBatch} in Darknet's integer division.
     */
    public long batchNumber(long iteration) {
        return before / updateBatch + iteration;
    }

    /** The count after iteration {@code iteration}: what a {@code .weights} file written then holds. */
    public long after(long iteration) {
        return before + iteration * updateBatch;
    }

    /** The count during pass {@code pass} (0-based over the run) of {@code passImages} images, that pass included. */
    public long duringPass(long pass, int passImages) {
        return before + (pass + 1) * passImages;
    }
}
