package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice stack up/status/env/down} as a user runs them, on a real (small) stack. */
class SluiceStackCommandIT {

    private Path workDir;

    @BeforeEach
    void newWorkDir() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "cli-it-");
    }

    @AfterEach
    void stopWhateverIsLeft() {
        LocalStack.attach(workDir).stop();
    }

    @Test
    void upStatusEnvAndDownWorkTogetherAndLeaveNothingRunning() {
        CliRun up = run("stack", "up", "--services", "zookeeper,kafka", "--work-dir", workDir.toString());
        assertThat(up.exitCode()).as(up.err()).isZero();
        assertThat(up.out()).contains("zookeeper", "kafka", "ready in", "Stack ready in", "kafka.bootstrap.servers");

        CliRun status = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).containsPattern("zookeeper +\\d+ +up +\\d+ MB").containsPattern("kafka +\\d+ +up +\\d+ MB");

        CliRun env = run("stack", "env", "--work-dir", workDir.toString());
        assertThat(env.exitCode()).isZero();
        assertThat(env.out()).contains("export SLUICE_KAFKA_BOOTSTRAP='127.0.0.1:", "export SLUICE_ZOOKEEPER='127.0.0.1:")
                .doesNotContain("SLUICE_SOLR_URL");

        CliRun again = run("stack", "up", "--services", "zookeeper,kafka", "--work-dir", workDir.toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("already running");

        CliRun down = run("stack", "down", "--work-dir", workDir.toString());
        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(down.out()).contains("kafka", "stopped");
        assertThat(LocalStack.processesOf(workDir)).isEmpty();

        CliRun statusAfter = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(statusAfter.exitCode()).isEqualTo(SluiceCli.EXIT_NO_STACK);
    }

    @Test
    void rejectsAnUnknownServiceWithOneLineNamingTheKnownOnes() {
        CliRun up = run("stack", "up", "--services", "kafak", "--work-dir", workDir.toString());
        assertThat(up.exitCode()).isNotZero();
        assertThat(up.err()).contains("unknown service 'kafak'; known services: zookeeper, kafka, hbase, solr, hdfs, yarn");
        assertThat(LocalStack.processesOf(workDir)).isEmpty();
    }

    @Test
    void envWithoutAStackSaysHowToStartOne() {
        CliRun env = run("stack", "env", "--work-dir", workDir.toString());
        assertThat(env.exitCode()).isEqualTo(SluiceCli.EXIT_NO_STACK);
        assertThat(env.err()).contains("no stack is up in " + workDir, "sluice stack up");
    }


}
