package dev.tiletrain.job.conf;

import java.util.List;

/** {@code spark.tiletrain.*} settings that cannot be used; one line per problem, each naming its key. */
public final class ConfException extends IllegalArgumentException {
    private final List<String> problems;

    public ConfException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
