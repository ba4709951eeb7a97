package dev.tiletrain.job.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One run of a system tool ({@code ip}, {@code tc}, …) to its end, its output and error text together. */
record SystemCommand(List<String> command, int exitCode, String output) {
    static SystemCommand run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return new SystemCommand(command, process.waitFor(), output);
        } catch (IOException e) {
            throw new ClusterException("cannot run " + String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while running " + String.join(" ", command));
        }
    }

    /** Runs the command and returns its output; a non-zero exit is a {@link ClusterException} with that output. */
    static String check(List<String> command) {
        SystemCommand run = run(command);
        if (!run.succeeded()) {
            throw new ClusterException("`" + String.join(" ", command) + "` failed (exit " + run.exitCode + "): "
                    + run.output);
        }
        return run.output;
    }

    boolean succeeded() {
        return exitCode == 0;
    }
}
