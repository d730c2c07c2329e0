package dev.sluice.bench.enrich;

import dev.sluice.stack.LocalStack;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The smoke version of {@code sluice bench enrich} that CI runs: every variant on a small data set,
 * each must serve, enrich and report. The numbers of a smoke run mean nothing; the full run's are in
 * BENCHMARKS.md.
 */
class EnrichBenchmarkIT {

    @Test
    void everyVariantEnrichesAndIsReported() throws Exception {
        Path workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "enrich-it-");
        Path out = workDir.resolve("report");
        int exit = new CommandLine(new EnrichBenchmark()).execute("--profiles", "2000", "--burst", "3000", "--warmup", "500", "--settle", "1", "--seconds", "2",
                "--heap", "384m", "--work-dir", workDir.toString(), "--out", out.toString());

        assertThat(exit).isZero();
        String table = Files.readString(out.resolve("enrich.md"));
        for (EnrichVariant variant : EnrichVariant.values()) {
            assertThat(table).contains("| " + variant.label() + " |");
        }
        assertThat(table.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| variant")).toList()).hasSize(EnrichVariant.values().length);
        assertThat(Files.readString(out.resolve("enrich-throughput.svg"))).contains("<svg").contains(EnrichVariant.SLUICE_EOS.label());
        // Every variant's output carries the profile: the same enrichment, whatever did it.
        for (EnrichVariant variant : EnrichVariant.values()) {
            if (variant == EnrichVariant.PASS_THROUGH) {
                continue;
            }
            List<String> enrichedSample = Files.readAllLines(out.resolve("samples").resolve(variant.id() + ".jsonl"));
            assertThat(enrichedSample).as(variant.label()).isNotEmpty();
            enrichedSample.forEach(json -> assertThat(json).as(variant.label()).contains("\"profile\"").contains("\"credit_limit\""));
        }
        assertThat(LocalStack.processesOf(workDir.resolve("stack"))).as("the benchmark's stack is stopped").isEmpty();
        assertThat(workDir.resolve("stack")).as("a successful run deletes its stack's data, keeps the report").doesNotExist();
    }
}
