package dev.sluice.it;

import dev.sluice.cli.SluiceCli;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** One {@code sluice} command run in this JVM against a Kafka cluster: its exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String kafkaBootstrap, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kafka-bootstrap", kafkaBootstrap));
        return withoutEndpoints(all.toArray(String[]::new));
    }

    /** A command that takes no Kafka endpoint option (e.g. {@code flume run}), exactly as given. */
    static CliRun withoutEndpoints(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = SluiceCli.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
