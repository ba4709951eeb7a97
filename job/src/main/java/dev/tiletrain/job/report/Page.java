package dev.tiletrain.job.report;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's HTML: a summary, the plan table, each chart, and the mAP values; no scripts, no outside files. */
final class Page {
    private Page() {}

    static String html(String dir, Instant updated, List<String> summary, String plan, Collection<String> charts,
            Map<Long, Double> maps) {
        StringBuilder h = new StringBuilder("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>tiletrain run report</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:960px}pre{background:#f4f4f4;padding:1em;
                overflow-x:auto}img{display:block;margin:1em 0;border:1px solid #ddd}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}</style></head><body>
                """);
        h.append("<h1>tiletrain run report</h1>\n<p>").append(escape(dir)).append("<br>updated ").append(updated)
                .append("</p>\n<ul>\n");
        summary.forEach(s -> h.append("<li>").append(escape(s)).append("</li>\n"));
        h.append("</ul>\n");
        if (plan != null) {
            h.append("<h2>Plan</h2>\n<pre>").append(escape(plan)).append("</pre>\n");
        }
        if (!charts.isEmpty()) {
            h.append("<h2>Charts</h2>\n");
            charts.forEach(c -> h.append("<img src=\"").append(escape(c)).append("\" alt=\"").append(escape(c))
                    .append("\" width=\"").append(Charts.WIDTH).append("\" height=\"").append(Charts.HEIGHT)
                    .append("\">\n"));
        }
        if (!maps.isEmpty()) {
            h.append("<h2>mAP@0.5 on the validation list</h2>\n<table><tr><th>iteration</th><th>mAP</th></tr>\n");
            maps.forEach((it, m) -> h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td></tr>%n", it, m)));
            h.append("</table>\n");
        }
        return h.append("</body></html>\n").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
