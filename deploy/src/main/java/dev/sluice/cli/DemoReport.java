package dev.sluice.cli;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The demo's HTML report: throughput and latency over time (inline SVG), latency percentiles, the reconciliation. */
final class DemoReport {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 220;

    /** One progress reading of the demo. */
    record Sample(double seconds, long sent, long enriched, double rate, long p50, long p99) {
    }

    private DemoReport() {
    }

    static Path write(Path file, List<Sample> samples, Histogram latency, List<String> summary) throws IOException {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html><head><meta charset="utf-8"><title>Sluice demo</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:800px}pre{background:#f4f4f4;padding:1em}
                table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}</style>
                </head><body><h1>Sluice demo</h1>
                """);
        html.append("<h2>Enriched events per second</h2>")
                .append(chart(samples, List.of(Sample::rate), List.of("#1f77b4"), List.of("events/s")));
        html.append("<h2>Ingest → enriched latency (ms)</h2>")
                .append(chart(samples, List.of(Sample::p50, Sample::p99), List.of("#2ca02c", "#d62728"), List.of("p50", "p99")));
        html.append("<h2>Latency percentiles over the whole run</h2><table><tr><th>percentile</th><th>ms</th></tr>");
        for (double p : new double[] {50, 90, 99, 99.9, 100}) {
            html.append(String.format(Locale.ROOT, "<tr><td>p%s</td><td>%d</td></tr>",
                    p == 100 ? "100 (max)" : String.valueOf(p).replace(".0", ""), latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(p)));
        }
        html.append("</table><h2>Reconciliation</h2><pre>");
        summary.forEach(line -> html.append(escape(line)).append('\n'));
        html.append("</pre></body></html>\n");
        Files.writeString(file, html.toString());
        return file;
    }

    private static String chart(List<Sample> samples, List<ToDoubleFunction<Sample>> series, List<String> colours, List<String> names) {
        ToDoubleFunction<Sample> seconds = Sample::seconds;
        double maxX = samples.stream().mapToDouble(seconds).max().orElse(1);
        double maxY = series.stream().flatMapToDouble(f -> samples.stream().mapToDouble(f)).max().orElse(1);
        maxY = Math.max(maxY, 1) * 1.1;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" style=\"border:1px solid #ddd\">", WIDTH, HEIGHT + 30));
        svg.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"15\" font-size=\"12\">max %.0f</text>", maxY / 1.1));
        for (int i = 0; i < series.size(); i++) {
            StringBuilder points = new StringBuilder();
            for (Sample sample : samples) {
                double x = 40 + (WIDTH - 60) * seconds.applyAsDouble(sample) / Math.max(maxX, 1);
                double y = HEIGHT - (HEIGHT - 20) * series.get(i).applyAsDouble(sample) / maxY;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
                    colours.get(i), points.toString().trim()));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>",
                    60 + i * 80, HEIGHT + 22, colours.get(i), names.get(i)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%.0f s</text>", WIDTH - 50, HEIGHT + 22, maxX));
        return svg.append("</svg>").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
