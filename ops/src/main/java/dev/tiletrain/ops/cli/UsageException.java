package dev.tiletrain.ops.cli;

/** A command line a command cannot run: the message says what is wrong; the command exits with 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
