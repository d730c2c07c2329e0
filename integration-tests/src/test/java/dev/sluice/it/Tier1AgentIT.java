package dev.sluice.it;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped tier-1 agent ({@code conf/flume/tier1.properties}) in a real Flume 1.11 agent: a plain
 * HTTP client and a file in the spooling directory feed it; valid events reach {@code events.raw}
 * on their bucket partition with id and ingest time, invalid ones reach {@code events.dlq} with
 * their reason in the record headers.
 */
class Tier1AgentIT {

    private static final int PARTITIONS = 6;

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startKafka() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tier1-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA).stopOnExit(true).build();
        endpoints = stack.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1), new NewTopic("events.dlq", 1, (short) 1)
                            .configs(Map.of("max.message.bytes", String.valueOf(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopKafka() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void httpSpoolDirSyslogAndAvroEventsReachEventsRawOnTheirPartitionAndInvalidOnesTheDlqWithReasons() throws Exception {
        int httpPort = LoopbackPorts.free();
        int syslogPort = LoopbackPorts.free();
        int avroPort = LoopbackPorts.free();
        Path spoolDir = Files.createDirectories(workDir.resolve("spool"));
        Map<String, String> environment = Map.of(
                "SLUICE_KAFKA_BOOTSTRAP", endpoints.kafkaBootstrapServers(),
                "SLUICE_HTTP_PORT", Integer.toString(httpPort),
                "SLUICE_SYSLOG_PORT", Integer.toString(syslogPort),
                "SLUICE_AVRO_PORT", Integer.toString(avroPort),
                "SLUICE_SPOOL_DIR", spoolDir.toString(),
                "SLUICE_AGENT_DIR", workDir.resolve("agent-state").toString(),
                "SLUICE_KEY_FIELD", "card_id",
                "SLUICE_TIME_FIELD", "ts");
        String config = Files.readString(Path.of(System.getProperty("sluice.conf.dir"), "flume", "tier1.properties"));
        Instant testStart = Instant.now();

        try (FlumeAgent agent = FlumeAgent.start(workDir.resolve("agent"), "tier1", config, List.of(FlumeAgent.pluginJar()), environment)) {
            String lines = IntStream.range(0, 300).mapToObj(i -> "{\"card_id\":\"card-" + (i * 31 % 997)
                    + "\",\"amount\":" + i + ",\"ts\":\"2026-11-21T08:00:00Z\"}").collect(Collectors.joining("\n"));
            Pipes.post(httpPort, lines.getBytes(StandardCharsets.UTF_8), agent);
            Pipes.post(httpPort, "[{\"card_id\":\"card-a\",\"amount\":1},{\"card_id\":\"card-b\",\"amount\":2}]".getBytes(StandardCharsets.UTF_8), agent);
            Pipes.post(httpPort, "this is not json".getBytes(StandardCharsets.UTF_8), agent);
            Pipes.post(httpPort, "{\"amount\":5}".getBytes(StandardCharsets.UTF_8), agent);
            Pipes.post(httpPort, "{\"card_id\":\"  \"}".getBytes(StandardCharsets.UTF_8), agent);
            Pipes.post(httpPort, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2}, agent);
            Pipes.post(httpPort, ("{\"card_id\":\"big\",\"blob\":\"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8), agent);

            // A spooled file must appear whole: write beside the directory, then move it in.
            Path staged = workDir.resolve("batch-1.jsonl");
            Files.writeString(staged, IntStream.range(0, 100).mapToObj(i -> "{\"card_id\":\"file-" + i + "\",\"ts\":1763712000000}")
                    .collect(Collectors.joining("\n", "", "\n{\"card_id\":\"file-x\",\"ts\":\"noon\"}\n")));
            Files.move(staged, spoolDir.resolve("batch-1.jsonl"), StandardCopyOption.ATOMIC_MOVE);

            // Syslog over TCP: JSON messages (and one that is not JSON).
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", syslogPort);
                 java.io.Writer out = new java.io.OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
                for (int i = 0; i < 20; i++) {
                    out.write("<13>Nov 21 08:00:00 pos-17 {\"card_id\":\"syslog-" + i + "\",\"amount\":" + i + "}\n");
                }
                out.write("<13>Nov 21 08:00:01 pos-17 terminal rebooted\n");
            }
            // Avro: Flume's own RPC client (flume-ng avro-client), as an upstream agent would send.
            Path avroInput = workDir.resolve("avro-events.jsonl");
            Files.writeString(avroInput, IntStream.range(0, 30).mapToObj(i -> "{\"card_id\":\"avro-" + i + "\",\"amount\":1}")
                    .collect(Collectors.joining("\n", "", "\nnot json from avro\n")));
            Process avroClient = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", String.join(java.io.File.pathSeparator, dev.sluice.stack.LocalStack.roleClasspath("flume").stream().map(Path::toString).toList()),
                    "org.apache.flume.client.avro.AvroCLIClient", "-H", "127.0.0.1", "-p", Integer.toString(avroPort), "-F", avroInput.toString())
                    .redirectErrorStream(true).redirectOutput(workDir.resolve("avro-client.log").toFile()).start();
            assertThat(avroClient.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(avroClient.exitValue()).as(Files.readString(workDir.resolve("avro-client.log"))).isZero();

            List<ConsumerRecord<String, byte[]>> raw = Pipes.consume(endpoints.kafkaBootstrapServers(), "events.raw", 452, agent,
                    new StringDeserializer(), new ByteArrayDeserializer());
            List<ConsumerRecord<String, byte[]>> dlq = Pipes.consume(endpoints.kafkaBootstrapServers(), "events.dlq", 8, agent,
                    new StringDeserializer(), new ByteArrayDeserializer());

            EventCodec codec = new EventCodec();
            Buckets buckets = Buckets.defaults();
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : raw) {
                Event event = codec.decode(record.value()); // a plain Kafka client reads events.raw
                assertThat(record.key()).isEqualTo(event.key());
                assertThat(record.partition()).as("partition of %s", event.key())
                        .isEqualTo(buckets.partitionOfKey(event.key().getBytes(StandardCharsets.UTF_8), PARTITIONS));
                assertThat(event.ingestTime()).isAfterOrEqualTo(testStart.minusSeconds(5));
                ids.add(event.id());
            }
            assertThat(raw).hasSize(452);
            assertThat(ids).as("every event has its own id").hasSize(452);
            assertThat(raw.stream().map(r -> r.key()).filter(k -> k.startsWith("syslog-")).count()).isEqualTo(20);
            assertThat(raw.stream().map(r -> r.key()).filter(k -> k.startsWith("avro-")).count()).isEqualTo(30);
            assertThat(raw.stream().map(r -> r.key()).filter(k -> k.startsWith("file-")).count()).isEqualTo(100);
            Event fromFile = raw.stream().filter(r -> r.key().equals("file-7")).map(r -> decode(codec, r.value())).findFirst().orElseThrow();
            assertThat(fromFile.eventTime()).isEqualTo(Instant.ofEpochMilli(1763712000000L));

            assertThat(dlq).extracting(r -> Pipes.header(r, "sluice.error.reason")).containsExactlyInAnyOrder(
                    "NOT_JSON", "MISSING_FIELD", "EMPTY_FIELD", "NOT_JSON", "TOO_LARGE", "WRONG_TYPE", "NOT_JSON", "NOT_JSON");
            ConsumerRecord<String, byte[]> missingKey = dlq.stream().filter(r -> "MISSING_FIELD".equals(Pipes.header(r, "sluice.error.reason")))
                    .findFirst().orElseThrow();
            assertThat(Pipes.header(missingKey, "sluice.error.field")).isEqualTo("card_id");
            assertThat(Pipes.header(missingKey, "sluice.error.stage")).isEqualTo("identify");
            assertThat(new String(missingKey.value(), StandardCharsets.UTF_8)).as("the body as received").isEqualTo("{\"amount\":5}");

            // Counters per interceptor instance (validate-1 on one source, validate-2 on the other).
            com.fasterxml.jackson.databind.JsonNode metrics = agent.metrics();
            assertThat(sumOf(metrics, "INTERCEPTOR.validate-", "EventDeadLetteredCount")).isEqualTo(5);  // not JSON (HTTP, syslog, Avro), binary, too large
            assertThat(sumOf(metrics, "INTERCEPTOR.identify-", "EventDeadLetteredCount")).isEqualTo(3);  // missing, empty key; bad time
            assertThat(sumOf(metrics, "INTERCEPTOR.identify-", "EventAcceptedCount")).isEqualTo(452);
        }
    }

    private static long sumOf(com.fasterxml.jackson.databind.JsonNode metrics, String prefix, String counter) {
        long sum = 0;
        for (java.util.Iterator<String> it = metrics.fieldNames(); it.hasNext(); ) {
            String component = it.next();
            if (component.startsWith(prefix)) {
                sum += metrics.path(component).path(counter).asLong();
            }
        }
        return sum;
    }

    private static Event decode(EventCodec codec, byte[] value) {
        try {
            return codec.decode(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
