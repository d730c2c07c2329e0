package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice solr init|count} on a real SolrCloud node. */
class SluiceSolrCommandIT {

    private static Path workDir;
    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "solr-cli-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.ZOOKEEPER, Service.SOLR).stopOnExit(true).build();
        stack.start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void initCreatesTheCollectionsOnceAndReloadsThemAfterwards() {
        String stackDir = workDir.resolve("stack").toString();

        CliRun first = run("solr", "init", "--work-dir", stackDir);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("collection events: created (configset sluice)", "collection alerts: created (configset sluice)");

        CliRun again = run("solr", "init", "--work-dir", stackDir);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("collection events: reloaded", "collection alerts: reloaded");

        CliRun count = run("solr", "count", "--collection", "alerts", "--work-dir", stackDir);
        assertThat(count.exitCode()).as(count.err()).isZero();
        assertThat(count.out().strip()).isEqualTo("0");
    }

    @Test
    void aMissingCollectionIsAClearErrorWithExitCode1() {
        CliRun count = run("solr", "count", "--collection", "nope", "--work-dir", workDir.resolve("stack").toString());
        assertThat(count.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(count.err()).startsWith("sluice: ").contains("nope");
    }
}
