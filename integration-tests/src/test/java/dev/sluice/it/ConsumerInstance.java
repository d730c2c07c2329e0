package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.stack.ProcessSignals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One partitioned-consumer instance in its own JVM ({@code ConsumerMain}), as YARN or
 * {@code sluice consumer run} would start it, so a test can kill it with SIGKILL.
 */
final class ConsumerInstance implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String id;
    private final Path statusFile;
    private final Path log;
    private final Process process;

    private ConsumerInstance(String id, Path statusFile, Path log, Process process) {
        this.id = id;
        this.statusFile = statusFile;
        this.log = log;
        this.process = process;
    }

    /** An instance whose settings are in a file (as secured settings should be: out of process listings), plus overrides. */
    static ConsumerInstance start(Path dir, String id, Path settingsFile, Map<String, String> overrides) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(settingsFile.toString()));
        overrides.forEach((k, v) -> arguments.add(k + "=" + v));
        return start(dir, id, arguments);
    }

    static ConsumerInstance start(Path dir, String id, Map<String, String> settings) throws IOException {
        List<String> arguments = new ArrayList<>();
        settings.forEach((k, v) -> arguments.add(k + "=" + v));
        return start(dir, id, arguments);
    }

    private static ConsumerInstance start(Path dir, String id, List<String> arguments) throws IOException {
        Files.createDirectories(dir);
        Path statusFile = dir.resolve(id + ".status.json");
        Files.deleteIfExists(statusFile);
        Path log = dir.resolve(id + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), "dev.sluice.consumer.ConsumerMain",
                "instance.id=" + id, "status.file=" + statusFile, "metrics.port=0"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ConsumerInstance(id, statusFile, log, process);
    }

    String id() {
        return id;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The instance's /status, or null while it is not serving yet. */
    JsonNode status() {
        try {
            if (!Files.exists(statusFile)) {
                return null;
            }
            int port = JSON.readTree(statusFile.toFile()).path("metricsPort").asInt();
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The Prometheus text of /metrics. */
    String metrics() throws IOException, InterruptedException {
        int port = JSON.readTree(statusFile.toFile()).path("metricsPort").asInt();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** One counter or gauge of /metrics, labelled by instance only; 0 when it is absent. */
    double metric(String name) throws IOException, InterruptedException {
        List<Double> values = metricValues(name);
        return values.isEmpty() ? 0 : values.get(0);
    }

    /** Every series of a metric of /metrics, whatever its labels (a Kafka client metric has one per client). */
    List<Double> metricValues(String name) throws IOException, InterruptedException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "\\{[^}]*} (\\S+)$").matcher(metrics());
        List<Double> values = new ArrayList<>();
        while (m.find()) {
            values.add(Double.parseDouble(m.group(1)));
        }
        return values;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGSTOP: the process keeps its sockets, its group membership lapses once its session times out. */
    void freeze() throws IOException, InterruptedException {
        ProcessSignals.freeze(process.pid());
    }

    /** SIGCONT: a frozen instance wakes up where it stopped, unaware of the time that passed. */
    void thaw() throws IOException, InterruptedException {
        ProcessSignals.thaw(process.pid());
    }

    /** The exit code, once the process has ended. */
    int exitCode() {
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no commit, no leave-group. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                thaw(); // a frozen process would not act on SIGTERM
            } catch (IOException ignored) {
                // it has just ended
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
