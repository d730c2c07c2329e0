package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice replay reset|copy|redrive} on a real Kafka: plans, exact counts, and refusals that change nothing. */
class SluiceReplayCommandIT {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant T1 = T0.plusSeconds(3600);
    private static final Instant T2 = T0.plusSeconds(7200);

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startKafka() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "replay-cli-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA).stopOnExit(true).build();
        endpoints = stack.start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("t", 3, (short) 1), new NewTopic("shadow", 3, (short) 1),
                    new NewTopic("dlq", 1, (short) 1), new NewTopic("raw", 1, (short) 1))).all().get();
        }
        // 100 records an hour apart three times over: at T0, T1 and T2 (record timestamps set by the producer).
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 300; i++) {
                Instant at = i < 100 ? T0 : i < 200 ? T1 : T2;
                producer.send(new ProducerRecord<>("t", null, at.toEpochMilli() + i, "k" + (i % 10), "v" + i));
            }
            RecordHeaders known = new RecordHeaders();
            known.add("sluice.error.reason", "UNKNOWN_PROFILE".getBytes(StandardCharsets.UTF_8));
            String event = "{\"id\":\"e1\",\"key\":\"card-1\",\"eventTime\":\"2026-11-20T10:00:00Z\",\"ingestTime\":\"2026-11-20T10:00:00Z\",\"body\":{}}";
            producer.send(new ProducerRecord<>("dlq", null, "card-1", event, known));
            producer.send(new ProducerRecord<>("dlq", null, "card-2", event.replace("e1", "e2").replace("card-1", "card-2"), known));
            RecordHeaders raw = new RecordHeaders();
            raw.add("sluice.error.reason", "NOT_JSON".getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<String, String>("dlq", null, (String) null, "{oops", raw));
        }
        // A group that has consumed everything, and left.
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                endpoints.kafkaBootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "done"), new StringDeserializer(), new StringDeserializer())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                TopicPartition tp = new TopicPartition("t", p);
                offsets.put(tp, new OffsetAndMetadata(consumer.endOffsets(List.of(tp)).get(tp)));
            }
            consumer.commitSync(offsets);
        }
    }

    @AfterAll
    static void stopKafka() {
        if (stack != null) {
            stack.close();
        }
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    private String[] args(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--work-dir", workDir.resolve("stack").toString()));
        return all.toArray(String[]::new);
    }

    @Test
    void resetPlansAndAppliesWithKafkasSemanticsAndRefusesBadRequests() {
        CliRun toT1 = run(args("replay", "reset", "--group", "done", "--topic", "t", "--to-datetime", T1.toString(), "--dry-run"));
        assertThat(toT1.exitCode()).as(toT1.err()).isZero();
        assertThat(toT1.out()).contains("dry run: group done on t: 200 record(s) to process");
        // A time before everything means the start; one after the last record means the log end (Kafka's tool does the same).
        assertThat(run(args("replay", "reset", "--group", "done", "--topic", "t", "--to-earliest", "--dry-run")).out())
                .contains("300 record(s) to process");
        assertThat(run(args("replay", "reset", "--group", "done", "--topic", "t", "--to-datetime", T2.plusSeconds(60).toString(), "--dry-run")).out())
                .contains("0 record(s) to process");

        CliRun apply = run(args("replay", "reset", "--group", "done", "--topic", "t", "--by-duration", "P3650D"));
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(committedAtStart()).as("after moving ten years back, the group is at the start of every partition").isEqualTo(3);

        CliRun future = run(args("replay", "reset", "--group", "done", "--topic", "t", "--to-datetime", "2099-01-01T00:00:00Z"));
        assertThat(future.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(future.err()).contains("is in the future");
        CliRun noTopic = run(args("replay", "reset", "--group", "done", "--topic", "nope", "--to-earliest"));
        assertThat(noTopic.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(noTopic.err()).contains("topic nope does not exist");
        CliRun noGroup = run(args("replay", "reset", "--group", "nobody", "--topic", "t", "--to-earliest"));
        assertThat(noGroup.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(noGroup.err()).contains("consumer group nobody does not exist");
        CliRun badOffset = run(args("replay", "reset", "--group", "done", "--topic", "t", "--to-offset", "0=999999"));
        assertThat(badOffset.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(badOffset.err()).contains("is outside");
        assertThat(committedAtStart()).as("refusals changed nothing").isEqualTo(3);
    }

    @Test
    void copyTakesExactlyTheRangeAndRedriveOnlyTheEvents() throws Exception {
        CliRun dry = run(args("replay", "copy", "--from", "t", "--to", "shadow", "--from-time", T1.toString(), "--to-time", T2.toString(),
                "--dry-run", "--no-progress"));
        assertThat(dry.out()).contains("Would copy 100 of 100 record(s) from t to shadow");
        assertThat(count("shadow")).isZero();

        CliRun copy = run(args("replay", "copy", "--from", "t", "--to", "shadow", "--from-time", T1.toString(), "--to-time", T2.toString(),
                "--key", "k3", "--no-progress"));
        assertThat(copy.exitCode()).as(copy.err()).isZero();
        assertThat(copy.out()).contains("Copied 10 of 100 record(s) from t to shadow; skipped {other key=90}");
        List<ConsumerRecord<String, String>> shadow = read("shadow");
        assertThat(shadow).hasSize(10).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo("k3");
            assertThat(r.timestamp()).isBetween(T1.toEpochMilli(), T2.toEpochMilli() - 1);
            assertThat(r.headers().lastHeader("sluice.replay.source")).isNotNull();
        });

        CliRun redrive = run(args("replay", "redrive", "--from", "dlq", "--to", "raw", "--no-progress"));
        assertThat(redrive.exitCode()).as(redrive.err()).isZero();
        assertThat(redrive.out()).contains("Copied 2 of 3 record(s) from dlq to raw; skipped {not an event (NOT_JSON): re-send through tier 1=1}");
        assertThat(read("raw")).hasSize(2).allSatisfy(r -> assertThat(r.headers().lastHeader("sluice.error.reason")).isNull());

        CliRun missing = run(args("replay", "copy", "--from", "t", "--to", "nope", "--no-progress"));
        assertThat(missing.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(missing.err()).contains("topic nope does not exist");
    }

    /** Partitions of t on which group 'done' has committed offset 0, read from a dry run's CURRENT column. */
    private long committedAtStart() {
        return run(args("replay", "reset", "--group", "done", "--topic", "t", "--to-latest", "--dry-run")).out().lines()
                .filter(line -> line.matches("^\\d+\\s+0 -> .*")).count();
    }

    private static long count(String topic) {
        return read(topic).size();
    }

    private static List<ConsumerRecord<String, String>> read(String topic) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                endpoints.kafkaBootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
