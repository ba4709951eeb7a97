package dev.tiletrain.data;

import org.apache.hadoop.fs.Path;

/** Bad input data: the message names the file (and line) and says what is wrong. */
public final class DataException extends RuntimeException {
    private final Problem problem;

    public DataException(Problem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    public DataException(Problem problem, Throwable cause) {
        super(problem.toString(), cause);
        this.problem = problem;
    }

    public DataException(Path file, String reason) {
        this(new Problem(file, 0, reason));
    }

    public DataException(Path file, int line, String reason) {
        this(new Problem(file, line, reason));
    }

    public Problem problem() {
        return problem;
    }
}
