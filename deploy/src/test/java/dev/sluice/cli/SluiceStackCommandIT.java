package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

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
        Run up = run("stack", "up", "--services", "zookeeper,kafka", "--work-dir", workDir.toString());
        assertThat(up.exitCode).as(up.err).isZero();
        assertThat(up.out).contains("zookeeper", "kafka", "ready in", "Stack ready in", "kafka.bootstrap.servers");

        Run status = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(status.exitCode).isZero();
        assertThat(status.out).containsPattern("zookeeper +\\d+ +up +\\d+ MB").containsPattern("kafka +\\d+ +up +\\d+ MB");

        Run env = run("stack", "env", "--work-dir", workDir.toString());
        assertThat(env.exitCode).isZero();
        assertThat(env.out).contains("export SLUICE_KAFKA_BOOTSTRAP='127.0.0.1:", "export SLUICE_ZOOKEEPER='127.0.0.1:")
                .doesNotContain("SLUICE_SOLR_URL");

        Run again = run("stack", "up", "--services", "zookeeper,kafka", "--work-dir", workDir.toString());
        assertThat(again.exitCode).isZero();
        assertThat(again.out).contains("already running");

        Run down = run("stack", "down", "--work-dir", workDir.toString());
        assertThat(down.exitCode).as(down.err).isZero();
        assertThat(down.out).contains("kafka", "stopped");
        assertThat(LocalStack.processesOf(workDir)).isEmpty();

        Run statusAfter = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(statusAfter.exitCode).isEqualTo(SluiceCli.EXIT_NO_STACK);
    }

    @Test
    void rejectsAnUnknownServiceWithOneLineNamingTheKnownOnes() {
        Run up = run("stack", "up", "--services", "kafak", "--work-dir", workDir.toString());
        assertThat(up.exitCode).isNotZero();
        assertThat(up.err).contains("unknown service 'kafak'; known services: zookeeper, kafka, hbase, solr, hdfs, yarn");
        assertThat(LocalStack.processesOf(workDir)).isEmpty();
    }

    @Test
    void envWithoutAStackSaysHowToStartOne() {
        Run env = run("stack", "env", "--work-dir", workDir.toString());
        assertThat(env.exitCode).isEqualTo(SluiceCli.EXIT_NO_STACK);
        assertThat(env.err).contains("no stack is up in " + workDir, "sluice stack up");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SluiceCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {
    }
}
