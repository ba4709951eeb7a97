package dev.tiletrain.job.conf;

/**
 * README's table of the {@code spark.tiletrain.*} keys, generated from {@link ConfKeys#ALL} so the two
 * cannot drift apart (a test checks the README holds it). Prints it when run.
 */
public final class KeysTable {
    private KeysTable() {}

    public static void main(String[] args) {
        System.out.print(markdown());
    }

    public static String markdown() {
        StringBuilder table = new StringBuilder("| key | value | default | meaning |\n|---|---|---|---|\n");
        for (ConfKey<?> key : ConfKeys.ALL) {
            String defaultValue = key.defaultValue() != null ? "`" + key.defaultValue() + "`" : key.whenUnset();
            table.append("| `").append(key.name()).append("` | ").append(cell(key.type())).append(" | ")
                    .append(cell(defaultValue)).append(" | ").append(cell(key.doc())).append(" |\n");
        }
        return table.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }
}
