package dev.sluice.it;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.stack.LocalStack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Flume 1.11 agent in its own JVM: Flume's own jars (the {@code flume} role) plus the
 * given plugin jars, with the HTTP metrics endpoint on a free port. Stopped with SIGTERM, then
 * SIGKILL: an agent whose broker is gone can hang on shutdown.
 */
final class FlumeAgent implements AutoCloseable {

    private final Process process;
    private final int metricsPort;
    private final Path log;

    private FlumeAgent(Process process, int metricsPort, Path log) {
        this.process = process;
        this.metricsPort = metricsPort;
        this.log = log;
    }

    static FlumeAgent start(Path dir, String agentName, String configuration, List<Path> pluginJars) throws IOException {
        return start(dir, agentName, configuration, pluginJars, java.util.Map.of());
    }

    /**
     * Starts an agent whose configuration may use {@code ${VAR}} placeholders, resolved by Flume
     * from {@code environment} (its {@code EnvVarResolverProperties}).
     */
    static FlumeAgent start(Path dir, String agentName, String configuration, List<Path> pluginJars,
                            java.util.Map<String, String> environment) throws IOException {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("agent.properties"), configuration, StandardCharsets.UTF_8);
        Path log4j = Files.writeString(dir.resolve("log4j2.xml"), """
                <Configuration status="warn">
                  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d %-5p [%t] %c{1}: %m%n"/></Console></Appenders>
                  <Loggers><Root level="info"><AppenderRef ref="out"/></Root></Loggers>
                </Configuration>
                """, StandardCharsets.UTF_8);
        List<Path> classpath = new ArrayList<>(LocalStack.roleClasspath("flume"));
        classpath.addAll(pluginJars);
        int metricsPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            metricsPort = socket.getLocalPort();
        }
        Path log = dir.resolve("agent.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dlog4j.configurationFile=" + log4j,
                "-Dflume.monitoring.type=http", "-Dflume.monitoring.port=" + metricsPort,
                "-DpropertiesImplementation=org.apache.flume.node.EnvVarResolverProperties",
                "-cp", String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()),
                "org.apache.flume.node.Application", "-f", config.toString(), "-n", agentName, "--no-reload-conf")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new FlumeAgent(builder.start(), metricsPort, log);
    }

    /**
     * The shipped tier-1 agent ({@code conf/flume/tier1.properties}) with its HTTP source on
     * {@code httpPort}, keyed by {@code card_id}, and the client's own transaction id ({@code txn_id})
     * as the event id, so that a request the client sends again lands on the same HBase row and Solr
     * document; the configuration changed by {@code configure} first. State under {@code workDir}.
     */
    static FlumeAgent startTier1(Path workDir, dev.sluice.stack.StackEndpoints endpoints, int httpPort,
                                 java.util.function.UnaryOperator<String> configure) throws IOException {
        String config = configure.apply(Files.readString(confDir().resolve("flume/tier1.properties"))
                + "\ntier1.sources.http.interceptors.identify.idField = txn_id\n");
        return start(workDir.resolve("tier1"), "tier1", config, List.of(pluginJar()), java.util.Map.of(
                "SLUICE_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrapServers(),
                "SLUICE_HTTP_PORT", Integer.toString(httpPort),
                "SLUICE_SYSLOG_PORT", Integer.toString(LoopbackPorts.free()),
                "SLUICE_AVRO_PORT", Integer.toString(LoopbackPorts.free()),
                "SLUICE_SPOOL_DIR", Files.createDirectories(workDir.resolve("spool")).toString(),
                "SLUICE_AGENT_DIR", workDir.resolve("tier1-state").toString(),
                "SLUICE_KEY_FIELD", "card_id",
                "SLUICE_TIME_FIELD", "ts"));
    }

    /**
     * The shipped tier-2 agent ({@code conf/flume/tier2.properties}) as instance {@code id}, with
     * exactly Flume's jars plus the plugin jar, once every sink has started.
     */
    static FlumeAgent startTier2(Path dir, String id, dev.sluice.stack.StackEndpoints endpoints) throws IOException {
        return startTier2(dir, id, endpoints, java.util.function.UnaryOperator.identity());
    }

    /** As {@link #startTier2(Path, String, dev.sluice.stack.StackEndpoints)}, the configuration changed by {@code configure} first. */
    static FlumeAgent startTier2(Path dir, String id, dev.sluice.stack.StackEndpoints endpoints,
                                 java.util.function.UnaryOperator<String> configure) throws IOException {
        String config = configure.apply(Files.readString(confDir().resolve("flume/tier2.properties")));
        FlumeAgent agent = start(dir, "tier2", config, List.of(pluginJar()), tier2Environment(endpoints, id));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            org.assertj.core.api.Assertions.assertThat(agent.isAlive()).as("agent alive; see %s", agent.log()).isTrue();
            for (String sink : List.of("hbase_events", "solr_events", "solr_alerts", "hdfs_events", "hdfs_events_2", "hdfs_alerts")) {
                org.assertj.core.api.Assertions.assertThat(agent.counter("SINK." + sink, "StartTime"))
                        .as("sink %s started; see %s", sink, agent.log()).isPositive();
            }
        });
        return agent;
    }

    /** What {@code tier2.properties} takes from the environment. */
    static java.util.Map<String, String> tier2Environment(dev.sluice.stack.StackEndpoints endpoints, String id) {
        return java.util.Map.of("SLUICE_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrapServers(),
                "SLUICE_ZOOKEEPER", endpoints.hbaseClientSettings().get("hbase.zookeeper.quorum"),
                "SLUICE_SOLR_URL", endpoints.solrUrl(), "SLUICE_HDFS_URI", endpoints.hdfsUri(), "SLUICE_AGENT_ID", id);
    }

    /** The shipped configuration directory ({@code conf/}). */
    static Path confDir() {
        return Path.of(System.getProperty("sluice.conf.dir", "../conf"));
    }

    /** The shaded plugin jar the build produced: exactly what Sluice ships into Flume. */
    static Path pluginJar() {
        String path = System.getProperty("sluice.flume.plugin.jar");
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("the Flume plugin jar is missing (" + path + "): run the build through Maven (./mvnw verify)");
        }
        return Path.of(path);
    }

    /**
     * A counter from Flume's HTTP metrics endpoint, e.g. {@code ("SINK.hbase", "EventDrainSuccessCount")};
     * 0 while the agent has not opened the endpoint yet.
     */
    long counter(String component, String counter) throws InterruptedException {
        try {
            return metrics().path(component).path(counter).asLong();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Waits until a counter reaches {@code expected} or {@code timeout} passes, failing early if the
     * agent dies.
     *
     * @return the counter's last value
     */
    long awaitCounter(String component, String counter, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long value = counter(component, counter);
        while (value < expected && System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the agent died; see " + log);
            }
            Thread.sleep(200);
            value = counter(component, counter);
        }
        return value;
    }

    /** The agent's counters from Flume's HTTP metrics endpoint. */
    com.fasterxml.jackson.databind.JsonNode metrics() throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    }

    String metricsUrl() {
        return "http://127.0.0.1:" + metricsPort + "/metrics";
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no channel commit, no file close; what a crashed host does to an agent. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
