package dev.sluice.bench.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** The enrichment benchmark's table (Markdown, for BENCHMARKS.md) and charts (SVG). */
final class EnrichReport {

    private static final String[] COLOURS = {"#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#7f7f7f"};

    private EnrichReport() {
    }

    static void write(Path dir, List<EnrichBenchmark.Result> results, int profiles, int partitions, int burst, int seconds) throws IOException {
        Optional<EnrichBenchmark.Result> passThrough = results.stream().filter(r -> r.variant() == EnrichVariant.PASS_THROUGH).findFirst();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%,d profiles, `events.raw` with %d partitions, backlog and live burst of %,d events each, %d s per load level.%n%n",
                profiles, partitions, burst, seconds));
        md.append("| variant | peak events/s (backlog drain) | vs pass-through | live burst events/s | CPU µs/event | broker (kernel share) / reader CPU µs/event (drain) "
                + "| append → append p50 / p99 / p99.9 ms at 25% (CPU µs/event of variant / broker / generator and reader, machine busy) | at 50% | at 75% "
                + "| send → visible p50 / p99 / p99.9 ms at 25% | at 50% | at 75% "
                + "| start → first event | heap after GC | heap per profile | RSS |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|---|---|---|---|---|---:|---:|---:|---:|\n");
        for (EnrichBenchmark.Result r : results) {
            // Heap per profile: beyond what the pass-through JVM (same clients, no profiles) holds.
            String perProfile = passThrough.map(p -> String.format(Locale.ROOT, "%.0f B",
                    Math.max(0, r.heapBytes() - p.heapBytes()) / (double) profiles)).orElse("–");
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %,.0f | %.1f | %.1f (%.0f%%) / %.1f | %s | %s | %s | %s | %s | %s | %.1f s | %,d MB | %s | %,d MB |%n",
                    r.variant().label(), r.peak(),
                    passThrough.map(p -> String.format(Locale.ROOT, "%.0f%%", 100 * r.peak() / p.peak())).orElse("–"),
                    r.liveBurst(), r.cpuMicrosPerEvent(), r.brokerMicrosPerEvent(), 100 * r.brokerKernelShare(), r.readerMicrosPerEvent(), appends(r, 0), appends(r, 1), appends(r, 2),
                    level(r, 0), level(r, 1), level(r, 2), r.startSeconds(), r.heapBytes() >> 20, perProfile,
                    r.rssBytes() >> 20));
        }
        int fixed = results.isEmpty() ? 0 : results.get(0).levels().size() - 3;
        if (fixed > 0) {
            // The same absolute load for every variant: latency compared where the machine carries the same traffic.
            md.append("\n| variant |");
            results.get(0).levels().subList(3, 3 + fixed).forEach(l -> md.append(String.format(Locale.ROOT,
                    " append → append p50 / p99 / p99.9 ms at %,d/s (CPU µs/event of variant / broker / generator and reader, machine busy) |", l.rate())));
            md.append("\n|---|").append("---|".repeat(fixed)).append('\n');
            for (EnrichBenchmark.Result r : results) {
                md.append("| ").append(r.variant().label()).append(" |");
                for (int i = 3; i < 3 + fixed; i++) {
                    EnrichBenchmark.Level l = r.levels().get(i);
                    md.append(' ').append(l.fraction() > 1 ? "above its peak" : appends(r, i))
                            .append(l.fraction() <= 1 && l.sentRate() < 0.95 * l.rate() ? String.format(Locale.ROOT, " (%,.0f/s sent)", l.sentRate()) : "")
                            .append(" |");
                }
                md.append('\n');
            }
        }
        Files.writeString(dir.resolve("enrich.md"), md.toString());
        Files.writeString(dir.resolve("enrich-throughput.svg"), bars("Peak throughput, backlog drain (events/s)", results, EnrichBenchmark.Result::peak, "%,.0f"));
        Files.writeString(dir.resolve("enrich-p99-at-50.svg"), bars("p99 latency, send → visible, at 50% of each variant's peak (ms)",
                results, r -> r.levels().get(1).p99Millis(), "%.1f"));
        Files.writeString(dir.resolve("enrich-append-p99-at-50.svg"), bars("p99 latency, append → append, at 50% of each variant's peak (ms)",
                results, r -> r.levels().get(1).appendP99Millis(), "%.0f"));
    }

    private static String appends(EnrichBenchmark.Result r, int index) {
        EnrichBenchmark.Level l = r.levels().get(index);
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f (%.1f / %.1f / %.1f µs, %.0f%%)", l.appendP50Millis(), l.appendP99Millis(),
                l.appendP999Millis(), l.cpuMicros(), l.brokerMicros(), l.ownMicros(), 100 * l.machineBusy());
    }

    private static String level(EnrichBenchmark.Result r, int index) {
        EnrichBenchmark.Level l = r.levels().get(index);
        // A level the producer could not offer in full is marked with what it sent.
        String rate = l.sentRate() < 0.95 * l.rate() ? String.format(Locale.ROOT, "%,d/s offered, %,.0f/s sent", l.rate(), l.sentRate())
                : String.format(Locale.ROOT, "%,d/s", l.rate());
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f (%s)", l.p50Millis(), l.p99Millis(), l.p999Millis(), rate);
    }

    /** A horizontal bar chart, one bar per variant. */
    private static String bars(String title, List<EnrichBenchmark.Result> results, ToDoubleFunction<EnrichBenchmark.Result> value, String format) {
        int rowHeight = 28;
        int labelWidth = 230;
        int barWidth = 420;
        int height = 40 + rowHeight * results.size();
        double max = results.stream().mapToDouble(value).max().orElse(1);
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                labelWidth + barWidth + 110, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", title));
        for (int i = 0; i < results.size(); i++) {
            EnrichBenchmark.Result r = results.get(i);
            double v = value.applyAsDouble(r);
            int y = 32 + i * rowHeight;
            int width = (int) Math.max(1, barWidth * v / Math.max(max, 1e-9));
            svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 15, r.variant().label()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\"/>%n",
                    labelWidth, y, width, COLOURS[r.variant().ordinal() % COLOURS.length]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", labelWidth + width + 6, y + 15,
                    String.format(Locale.ROOT, format, v)));
        }
        return svg.append("</svg>\n").toString();
    }
}
