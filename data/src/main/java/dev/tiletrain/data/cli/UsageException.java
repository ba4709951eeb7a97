package dev.tiletrain.data.cli;

/** Bad command-line arguments: the command prints the message and exits with status 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
