package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sluice consumer submit|scale|status|stop} against the stack's real YARN 3.5
 * ResourceManager and NodeManager: the ApplicationMaster runs N consumer instances in containers,
 * restarts a killed one with the same instance id (events sent throughout land in events.enriched exactly
 * once), scales up and down on request, and keeps each instance's log as its container's stdout; an instance
 * with bad settings ends the application FAILED, with its reason, instead of being restarted forever.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SluiceConsumerOnYarnIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PARTITIONS = 6;

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static String stackDir;

    @BeforeAll
    static void startStack() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "consumer-yarn-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack"))
                .services(EnumSet.of(Service.HBASE, Service.KAFKA, Service.YARN)).stopOnExit(true).build();
        endpoints = stack.start();
        stackDir = workDir.resolve("stack").toString();
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        try (Connection hbase = ConnectionFactory.createConnection(conf); var admin = hbase.getAdmin()) {
            ProfileTables.initProfiles(admin, TableName.valueOf("profiles"), ProfileSchema.parse("""
                    attributes:
                      segment: string
                    enrich: [segment]
                    """, "test"), Buckets.defaults(), 4, Compression.Algorithm.NONE);
        }
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            run("consumer", "stop", "--work-dir", stackDir);
            stack.stop();
        }
    }

    @Test
    @Order(1)
    void runsRestartsAndScalesInstancesOnYarn() throws Exception {
        CliRun submit = run("consumer", "submit", "--instances", "2", "--work-dir", stackDir, "--set", "group.id=yarn-it");
        assertThat(submit.exitCode()).as(submit.err()).isZero();
        assertThat(submit.out()).contains("submitted application_");

        Path instances = workDir.resolve("stack").resolve("consumer").resolve("instances");
        await("two instances own all partitions", () -> ownsAll(instances, List.of("consumer-0", "consumer-1")));
        long firstPid = status(instances, "consumer-0").orElseThrow().path("pid").asLong();
        // The instances created the dead-letter topic (the test made only events.raw), as 'sluice topics init' would have.
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", endpoints.kafkaBootstrapServers()))) {
            ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, "events.dlq");
            assertThat(kafka.describeConfigs(List.of(dlq)).all().get(30, TimeUnit.SECONDS).get(dlq)
                    .get("max.message.bytes").value()).isEqualTo(Integer.toString(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES));
        }

        // Events keep coming while YARN's container dies and is started again: the kill lands mid-transaction.
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName(),
                ProducerConfig.LINGER_MS_CONFIG, 2), new StringSerializer(), new ByteArraySerializer())) {
            EventStream stream = new EventStream(producer);
            stream.start();
            await("consumer-0 enriches events of the stream", () -> enrichedCount(stream.sentIds()) >= 200);
            ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();
            await("consumer-0 restarted with its id in a new process", () -> status(instances, "consumer-0")
                    .map(s -> s.path("pid").asLong() != firstPid && s.path("partitions").size() > 0).orElse(false));
            await("the restarted consumer-0 enriches events of the live stream", () -> eventsOut(instances, "consumer-0") > 0);
            stream.stop();
            assertThat(stream.failure()).as("sending").isNull();
            assertEachEventOnceInSendingOrder(stream.idsByKey());
        }
        CliRun status = run("consumer", "status", "--work-dir", stackDir);
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode am = JSON.readTree(status.out());
        assertThat(am.path("instances").has("consumer-0")).as(status.out()).isTrue();
        assertThat(am.path("instances").path("consumer-0").path("restarts").asInt()).as(status.out()).isEqualTo(1);
        assertThat(am.path("desired").asInt()).isEqualTo(2);

        CliRun scale = run("consumer", "scale", "3", "--work-dir", stackDir);
        assertThat(scale.exitCode()).as(scale.err()).isZero();
        await("three instances share the partitions", () -> ownsAll(instances, List.of("consumer-0", "consumer-1", "consumer-2")));

        long thirdPid = status(instances, "consumer-2").orElseThrow().path("pid").asLong();
        CliRun scaleDown = run("consumer", "scale", "2", "--work-dir", stackDir);
        assertThat(scaleDown.exitCode()).as(scaleDown.err()).isZero();
        await("consumer-2's process has ended", () -> ProcessHandle.of(thirdPid).map(p -> !p.isAlive()).orElse(true));
        await("two instances own every partition again", () -> ownsAll(instances, List.of("consumer-0", "consumer-1")));
        CliRun scaledDown = run("consumer", "status", "--work-dir", stackDir);
        assertThat(JSON.readTree(scaledDown.out()).path("instances").has("consumer-2")).as(scaledDown.out()).isFalse();

        // Each container's stdout is its instance's log (as `yarn logs` would show it).
        assertThat(containerStdouts()).as("container logs").anyMatch(log -> log.contains("consumer-0 consuming events.raw"))
                .anyMatch(log -> log.contains("consumer-1 consuming events.raw"));

        Set<Long> pids = new HashSet<>();
        for (String id : List.of("consumer-0", "consumer-1")) {
            pids.add(status(instances, id).orElseThrow().path("pid").asLong());
        }
        CliRun stop = run("consumer", "stop", "--work-dir", stackDir);
        assertThat(stop.exitCode()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("FINISHED");
        await("every instance process has ended", () -> pids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    /** Runs after the main test, whose stop removed its application. */
    @Test
    @Order(2)
    void anInstanceWithBadSettingsEndsTheApplicationFailedWithItsReasonInsteadOfRestartingForever() throws Exception {
        // Valid as settings, so submit accepts them; the instance finds at start that its input topic does not exist.
        CliRun submit = run("consumer", "submit", "--instances", "1", "--work-dir", stackDir, "--set", "group.id=yarn-it-bad",
                "--set", "topic.input=no.such.topic");
        assertThat(submit.exitCode()).as(submit.err()).isZero();
        await("the application ends", () -> run("consumer", "status", "--work-dir", stackDir).exitCode() != 0);
        CliRun status = run("consumer", "status", "--work-dir", stackDir);
        assertThat(status.err()).contains("(FAILED): instance consumer-0 exited with 2 (bad settings): cannot start: topic no.such.topic does not exist");
        assertThat(status.err()).as("no restarts before it gave up").doesNotContain("container-launch");
        CliRun stop = run("consumer", "stop", "--work-dir", stackDir);
        assertThat(stop.exitCode()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("FAILED");
    }

    private static List<String> containerStdouts() throws java.io.IOException {
        try (var files = Files.walk(workDir.resolve("stack").resolve("yarn").resolve("container-logs"))) {
            return files.filter(f -> f.getFileName().toString().equals("stdout")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    /** Events over a few hundred keys: 20 every 50 ms, in order, from a scheduled thread of its own until stopped. */
    private static final class EventStream {
        private final KafkaProducer<String, byte[]> producer;
        private final Map<String, List<String>> idsByKey = new LinkedHashMap<>();
        private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
        private int sent;
        private volatile Exception failure;

        EventStream(KafkaProducer<String, byte[]> producer) {
            this.producer = producer;
        }

        void start() {
            sender.scheduleAtFixedRate(this::sendSome, 0, 50, TimeUnit.MILLISECONDS);
        }

        private void sendSome() {
            try {
                for (int n = 0; n < 20; n++, sent++) {
                    String key = "card-" + (sent % 300);
                    String id = "yarn-it-" + sent;
                    Instant now = Instant.now();
                    producer.send(new ProducerRecord<>("events.raw", key, CODEC.encode(new Event(id, key, now, now,
                            JSON.createObjectNode().put("card_id", key).put("amount", 1.0)))));
                    synchronized (idsByKey) {
                        idsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
                    }
                }
            } catch (Exception e) {
                failure = e;
                throw new IllegalStateException(e); // ends the schedule
            }
        }

        void stop() throws InterruptedException {
            sender.shutdown();
            assertThat(sender.awaitTermination(30, TimeUnit.SECONDS)).as("the sender stops").isTrue();
            producer.flush();
        }

        Exception failure() {
            return failure;
        }

        Set<String> sentIds() {
            synchronized (idsByKey) {
                Set<String> ids = new HashSet<>();
                idsByKey.values().forEach(ids::addAll);
                return ids;
            }
        }

        Map<String, List<String>> idsByKey() {
            synchronized (idsByKey) {
                return new LinkedHashMap<>(idsByKey);
            }
        }
    }

    /** How many of these events are in events.enriched (read_committed) so far. */
    private static long enrichedCount(Set<String> ids) {
        return readEnriched(ids, Duration.ZERO).stream().map(SluiceConsumerOnYarnIT::idOf).distinct().count();
    }

    /**
     * Every sent event is in events.enriched (read_committed) exactly once, each key's events in sending order:
     * nothing of the killed instance's open transaction shows, and its restart under the same id repeats nothing.
     */
    private static void assertEachEventOnceInSendingOrder(Map<String, List<String>> idsByKey) {
        Set<String> expected = new HashSet<>();
        idsByKey.values().forEach(expected::addAll);
        List<ConsumerRecord<String, byte[]>> outputs = readEnriched(expected, Duration.ofSeconds(120));
        Map<String, Integer> seen = new HashMap<>();
        outputs.forEach(r -> seen.merge(idOf(r), 1, Integer::sum));
        assertThat(seen.keySet()).as("every sent event is in events.enriched").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(seen.entrySet()).as("and only once").allMatch(e -> e.getValue() == 1);
        Map<String, List<String>> outputOrder = new LinkedHashMap<>();
        outputs.forEach(r -> outputOrder.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(idOf(r)));
        assertThat(outputOrder).as("each key's events in the order they were sent").isEqualTo(idsByKey);
    }

    /**
     * Reads events.enriched from the start (read_committed) until all of {@code ids} are in or the time is up, then
     * a second longer, so that a duplicate would be counted too. With no time, reads what is there now.
     */
    private static List<ConsumerRecord<String, byte[]>> readEnriched(Set<String> ids, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("events.enriched").stream()
                    .map(p -> new TopicPartition("events.enriched", p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<String> found = new HashSet<>();
            do {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (ids.contains(idOf(record))) {
                        out.add(record);
                        found.add(idOf(record));
                    }
                }
                if (timeout.isZero() && partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                    return out;
                }
            } while (found.size() < ids.size() && System.nanoTime() < deadline);
            consumer.poll(Duration.ofSeconds(1)).forEach(record -> {
                if (ids.contains(idOf(record))) {
                    out.add(record);
                }
            });
        }
        return out;
    }

    private static String idOf(ConsumerRecord<String, byte[]> record) {
        try {
            return CODEC.decode(record.value()).id();
        } catch (Exception e) {
            return "";
        }
    }

    private static boolean ownsAll(Path dir, List<String> ids) {
        Set<String> partitions = new HashSet<>();
        int total = 0;
        for (String id : ids) {
            Optional<JsonNode> status = status(dir, id);
            if (status.isEmpty() || status.get().path("partitions").size() == 0) {
                return false;
            }
            status.get().path("partitions").fieldNames().forEachRemaining(partitions::add);
            total += status.get().path("partitions").size();
        }
        return partitions.size() == PARTITIONS && total == PARTITIONS;
    }

    /** An instance's live /status (through the port in its status file), if it is up. */
    private static Optional<JsonNode> status(Path dir, String id) {
        return fetch(dir, id, "/status").flatMap(body -> {
            try {
                return Optional.of(JSON.readTree(body));
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        });
    }

    /** The instance's enriched-events counter from its live /metrics (0 until it is up): a new process starts at 0. */
    private static double eventsOut(Path dir, String id) {
        return fetch(dir, id, "/metrics").flatMap(body -> body.lines()
                        .filter(line -> line.startsWith("sluice_consumer_events_out_total{")).findFirst())
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).orElse(0.0);
    }

    /** GET {@code path} from the instance's metrics server, through the port in its status file, if it answers. */
    private static Optional<String> fetch(Path dir, String id, String path) {
        try {
            Path file = dir.resolve(id + ".status.json");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            int port = JSON.readTree(file.toFile()).path("metricsPort").asInt();
            return Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(condition);
    }


}
