package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sluice demo}, small: the whole pipeline (tier-1 agent, two consumers, tier-2 agent to
 * HBase) reconciles exactly, and nothing it started is left running.
 */
class SluiceDemoIT {

    @Test
    void theDemoReconcilesAndStopsEverything() throws Exception {
        Path workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "demo-it-");
        CliRun demo = CliRun.run("demo", "--profiles", "5000", "--duration", "15", "--rate", "400", "--work-dir", workDir.toString());

        assertThat(demo.exitCode()).as(demo.out() + "\n" + demo.err()).isZero();
        assertThat(demo.out()).contains("RECONCILED: every valid transaction exactly once")
                .contains("ingest→enriched p50").containsPattern("alerts +[1-9]");
        assertThat(LocalStack.processesOf(workDir.resolve("stack"))).as("nothing left running").isEmpty();
        String report = Files.readString(workDir.resolve("report.html"));
        assertThat(report).contains("<svg").contains("<polyline").contains("RECONCILED").contains("p99");
    }
}
