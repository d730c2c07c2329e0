package dev.sluice.cli;

import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

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
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice topics init}, then {@code sluice flume run/status/stop} with the shipped tier-1 configuration, on a real Kafka. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SluiceFlumeCommandIT {

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startKafka() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "flume-cli-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA).stopOnExit(true).build();
        endpoints = stack.start();
        // What a user does before the first agent starts.
        CliRun topics = run("topics", "init", "--partitions", "3", "--work-dir", workDir.resolve("stack").toString());
        assertThat(topics.exitCode()).as(topics.err()).isZero();
        assertThat(topics.out()).contains("topic events.raw: created (3 partitions)", "topic events.dlq: created (3 partitions)");
        assertThat(maxMessageBytes("events.dlq")).isEqualTo(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES);
    }

    @AfterAll
    static void stopKafka() {
        if (stack != null) {
            stack.close(); // also stops any agent left by a failed test
        }
    }

    @Test
    @Order(1)
    void runsTheTier1AgentOnTheStackReportsItAndStopsIt() throws Exception {
        String stackDir = workDir.resolve("stack").toString();
        int httpPort = LoopbackPorts.free();
        Path config = Path.of("..", "conf", "flume", "tier1.properties").toAbsolutePath().normalize();
        CliRun run = run("flume", "run", config.toString(), "--name", "tier1", "--work-dir", stackDir,
                "--env", "SLUICE_HTTP_PORT=" + httpPort, "--env", "SLUICE_SPOOL_DIR=" + Files.createDirectories(workDir.resolve("spool")),
                "--env", "SLUICE_SYSLOG_PORT=" + LoopbackPorts.free(), "--env", "SLUICE_AVRO_PORT=" + LoopbackPorts.free(),
                "--env", "SLUICE_KEY_FIELD=card_id", "--env", "SLUICE_TIME_FIELD=ts");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Agent tier1 running", "/metrics");

        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"card_id\":\"card-1\",\"amount\":3}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(consume("events.raw", 1)).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("card-1");
            assertThat(r.value()).contains("\"key\":\"card-1\"", "\"ingestTime\"", "\"amount\":3");
        });

        CliRun status = run("flume", "status", "--work-dir", stackDir);
        assertThat(status.out()).containsPattern("tier1 +\\d+ +\\d+ MB +http://127.0.0.1:\\d+/metrics");
        CliRun again = run("flume", "run", config.toString(), "--name", "tier1", "--work-dir", stackDir);
        assertThat(again.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(again.err()).contains("agent 'tier1' is already running");

        CliRun stop = run("flume", "stop", "--name", "tier1", "--work-dir", stackDir);
        assertThat(stop.exitCode()).isZero();
        assertThat(FlumeCommand.agents(workDir.resolve("stack"))).isEmpty();
    }

    @Test
    @Order(2)
    void topicsInitKeepsExistingTopicsAndRaisesATooSmallDeadLetterLimit() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("small.dlq", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String stackDir = workDir.resolve("stack").toString();
        CliRun other = run("topics", "init", "--input", "other.raw", "--dead-letters", "small.dlq", "--partitions", "2", "--work-dir", stackDir);
        assertThat(other.exitCode()).as(other.err()).isZero();
        assertThat(other.out()).contains("topic other.raw: created (2 partitions)",
                "topic small.dlq: exists, max.message.bytes raised to 17825792 (1 partition)");
        assertThat(maxMessageBytes("small.dlq")).isEqualTo(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES);

        // Again with the defaults (12 partitions): the existing topics keep their 3.
        CliRun again = run("topics", "init", "--work-dir", stackDir);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("topic events.raw: exists (3 partitions)", "topic events.dlq: exists (3 partitions)");

        CliRun bad = run("topics", "init", "--partitions", "0", "--work-dir", stackDir);
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--partitions must be at least 1");
    }

    @Test
    @Order(3)
    void refusesAConfigurationWithoutTheNamedAgent() throws IOException {
        Path config = Files.writeString(workDir.resolve("other.properties"), "other.sources = s\n");
        CliRun run = run("flume", "run", config.toString(), "--name", "tier1", "--work-dir", workDir.resolve("stack").toString());
        assertThat(run.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(run.err()).contains("defines no agent 'tier1'");
    }

    /** Runs last: it takes the stack down. */
    @Test
    @Order(4)
    void stackDownAlsoStopsTheAgentsOfItsWorkDirectory() throws IOException {
        String stackDir = workDir.resolve("stack").toString();
        Path config = Path.of("..", "conf", "flume", "tier1.properties").toAbsolutePath().normalize();
        CliRun run = run("flume", "run", config.toString(), "--name", "tier1", "--work-dir", stackDir,
                "--env", "SLUICE_HTTP_PORT=" + LoopbackPorts.free(), "--env", "SLUICE_SPOOL_DIR=" + Files.createDirectories(workDir.resolve("spool2")),
                "--env", "SLUICE_SYSLOG_PORT=" + LoopbackPorts.free(), "--env", "SLUICE_AVRO_PORT=" + LoopbackPorts.free(),
                "--env", "SLUICE_KEY_FIELD=card_id", "--env", "SLUICE_TIME_FIELD=ts");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(FlumeCommand.agents(workDir.resolve("stack"))).containsOnlyKeys("tier1");

        CliRun down = run("stack", "down", "--work-dir", stackDir);

        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(LocalStack.processesOf(workDir.resolve("stack"))).as("no service and no agent left").isEmpty();
    }

    private static int maxMessageBytes(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return Integer.parseInt(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get("max.message.bytes").value());
        }
    }

    private static List<ConsumerRecord<String, String>> consume(String topic, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }
}
