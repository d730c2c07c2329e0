package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Three partitioned-consumer instances (own JVMs) on the real stack: Kafka 4.3 (KIP-848 group,
 * transactions) and HBase 2.6, with 12 partitions and 3,000 profiles.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionedConsumerIT {

    private static final int PARTITIONS = 12;
    private static final int PROFILES = 3000;
    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            attributes:
              holder: string
              segment: string
              credit_limit: double
            enrich: [segment, credit_limit]
            """, "cards");
    private static final String RULES = """
            windows:
              - name: count_1h
                aggregate: count
                size: 1h
                step: 1m
            rules:
              - name: over_limit
                severity: high
                expression: event.body.amount > profile.credit_limit
              - name: tally
                severity: info
                expression: window.count_1h > 0
            """;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();

    private static Path workDir;
    private static Path rulesFile;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static Connection hbase;
    private static ProfileStore store;
    private static KafkaProducer<String, byte[]> producer;
    private static final Map<String, ConsumerInstance> instances = new LinkedHashMap<>();

    @BeforeAll
    static void startStackAndInstances() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "consumer-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE, Service.KAFKA).stopOnExit(true).build();
        endpoints = stack.start();
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        hbase = ConnectionFactory.createConnection(conf);
        TableName table = TableName.valueOf("profiles");
        try (org.apache.hadoop.hbase.client.Admin admin = hbase.getAdmin()) {
            ProfileTables.initProfiles(admin, table, SCHEMA, Buckets.defaults(), 8, Compression.Algorithm.NONE);
        }
        ProfileCodec codec = new ProfileCodec(SCHEMA, Buckets.defaults());
        try (Table t = hbase.getTable(table)) {
            List<Put> puts = new ArrayList<>();
            for (int i = 0; i < PROFILES; i++) {
                puts.add(codec.toPut(profile(i, "retail")));
            }
            t.put(puts);
        }
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1))).all().get();
            ProfileUpdates.ensureTopic(kafka, "profiles.updates", PARTITIONS);
        }
        store = ProfileStore.open(hbase, table, ProfileUpdates.create(endpoints.kafkaBootstrapServers(), "profiles.updates",
                Buckets.defaults(), Map.of()));
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName(),
                ProducerConfig.LINGER_MS_CONFIG, 2), new StringSerializer(), new ByteArraySerializer());
        rulesFile = workDir.resolve("rules.yaml");
        Files.writeString(rulesFile, RULES);
        for (String id : List.of("c1", "c2", "c3")) {
            instances.put(id, startInstance(id));
        }
    }

    private static ConsumerInstance startInstance(String id) throws Exception {
        return ConsumerInstance.start(workDir.resolve("consumers"), id, baseSettings());
    }

    private static Map<String, String> baseSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", endpoints.kafkaBootstrapServers());
        settings.put("hbase.zookeeper.quorum", endpoints.hbaseClientSettings().get("hbase.zookeeper.quorum"));
        endpoints.hbaseClientSettings().forEach(settings::put);
        settings.put("rules.file", rulesFile.toString());
        settings.put("rules.reload.interval.ms", "500");
        return settings;
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (ConsumerInstance instance : instances.values()) {
            instance.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (hbase != null) {
            hbase.close();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    @Order(1)
    void eachInstanceHoldsExactlyTheProfilesOfItsPartitions() throws Exception {
        Map<Integer, Integer> expected = new HashMap<>();
        for (int i = 0; i < PROFILES; i++) {
            expected.merge(partitionOf(key(i)), 1, Integer::sum);
        }
        Map<Integer, String> owners = awaitAllPartitionsActive(instances.values(), Duration.ofSeconds(120));

        assertThat(owners.keySet()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, PARTITIONS).boxed().toList());
        assertThat(new HashSet<>(owners.values())).as("every instance owns partitions").hasSize(3);
        for (ConsumerInstance instance : instances.values()) {
            JsonNode status = instance.status();
            long held = 0;
            for (var it = status.path("partitions").fields(); it.hasNext(); ) {
                var entry = it.next();
                int partition = Integer.parseInt(entry.getKey());
                assertThat(entry.getValue().path("profiles").asInt())
                        .as("profiles of partition %d in %s", partition, instance.id())
                        .isEqualTo(expected.getOrDefault(partition, 0));
                held += entry.getValue().path("profiles").asInt();
            }
            assertThat(status.path("cacheEntries").asLong()).isEqualTo(held);
            assertThat(held).as("%s holds only its share", instance.id()).isLessThan(PROFILES);
        }
    }

    @Test
    @Order(2)
    void enrichesAlertsAndSeesAProfileUpdateInTheOwnersCache() throws Exception {
        String key = key(7);
        String first = send(key, 10.0, "update-test");
        Event enriched = awaitEnriched(Set.of(first)).get(first);
        assertThat(enriched.profile().path("segment").asText()).isEqualTo("retail");
        assertThat(enriched.profile().path("credit_limit").asDouble()).isEqualTo(1007.0);
        assertThat(enriched.profile().has("holder")).as("only the schema's enrich attributes are copied").isFalse();

        store.put(new Profile(key, Map.of("holder", "Holder 7", "segment", "platinum", "credit_limit", 5.0)));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Event after;
        String id;
        do {
            id = send(key, 50.0, "update-test");
            after = awaitEnriched(Set.of(id)).get(id);
        } while (!after.profile().path("segment").asText().equals("platinum") && System.nanoTime() < deadline);
        assertThat(after.profile().path("segment").asText()).isEqualTo("platinum");

        // 50 > the new limit of 5: the owner's rules see the updated profile too.
        String alertedId = id;
        JsonNode alert = awaitRecords("alerts", r -> r.value() != null && readJson(r.value()).path("eventId").asText().equals(alertedId)
                && readJson(r.value()).path("rule").asText().equals("over_limit"), 1).get(0);
        JsonNode values = readJson(alert.path("_value").asText().getBytes(StandardCharsets.UTF_8));
        assertThat(values.path("severity").asText()).isEqualTo("high");
        assertThat(values.path("values").path("event.body.amount").asDouble()).isEqualTo(50.0);
        assertThat(values.path("values").path("profile.credit_limit").asDouble()).isEqualTo(5.0);
    }

    @Test
    @Order(3)
    void badEventsGoToTheDeadLetterTopicWithTheirReasonAndTheStreamGoesOn() throws Exception {
        producer.send(new ProducerRecord<>("events.raw", key(1), "{not json".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>("events.raw", key(2),
                "{\"id\":\"x1\",\"eventTime\":1,\"ingestTime\":1,\"body\":{}}".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>("events.raw", key(3), new byte[]{0, (byte) 0xff, 1, 2})).get();
        String unknown = send("no-such-card", 1.0, "dlq-test");
        String valid = send(key(4), 1.0, "dlq-test");

        List<ConsumerRecord<String, byte[]>> dead = consume("events.dlq", r -> true, 3, Duration.ofSeconds(60));
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : dead) {
            reasons.put(record.key(), Pipes.header(record, "sluice.error.reason"));
            assertThat(Pipes.header(record, "sluice.error.stage")).isEqualTo("consumer");
            assertThat(Pipes.header(record, "sluice.source.topic")).isEqualTo("events.raw");
            assertThat(Pipes.header(record, "sluice.source.offset")).isNotBlank();
            assertThat(Pipes.header(record, "sluice.error.message")).isNotBlank();
        }
        assertThat(reasons).containsEntry(key(1), "NOT_JSON").containsEntry(key(2), "MISSING_FIELD").containsEntry(key(3), "NOT_JSON");

        Map<String, ConsumerRecord<String, byte[]>> out = new HashMap<>();
        consume("events.enriched", r -> Set.of(unknown, valid).contains(idOf(r)), 2, Duration.ofSeconds(60))
                .forEach(r -> out.put(r.key(), r));
        assertThat(out).containsKeys("no-such-card", key(4));
        assertThat(Pipes.header(out.get("no-such-card"), "sluice.profile")).as("unknown key passes, flagged").isEqualTo("missing");
        assertThat(Pipes.header(out.get(key(4)), "sluice.profile")).isNull();
    }

    @Test
    @Order(4)
    void killNineMidStreamLosesNothingDuplicatesNothingAndRestoresWindows() throws Exception {
        String run = "kill-" + UUID.randomUUID();
        List<String> keys = IntStream.range(1000, 1100).mapToObj(PartitionedConsumerIT::key).toList();
        int total = 3000;
        ConsumerInstance victim = instances.get("c2");
        Map<String, List<String>> idsByKey = sendKillingMidway(victim, keys, total, run);

        assertEachEventOnceInSendingOrder("events.enriched", idsByKey);
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", endpoints.kafkaBootstrapServers()))) {
            Set<String> transactionalIds = new HashSet<>();
            kafka.listTransactions().all().get().forEach(t -> transactionalIds.add(t.transactionalId()));
            assertThat(transactionalIds).as("the survivors committed from both of their transactional producers")
                    .contains("sluice-enrich-c1", "sluice-enrich-c1#1", "sluice-enrich-c3", "sluice-enrich-c3#1");
        }

        // After the failover the new owners restored the windows from the changelog.
        assertTalliesCountEachKeysEvents("alerts", idsByKey);
        Map<Integer, String> owners = awaitAllPartitionsActive(List.of(instances.get("c1"), instances.get("c3")), Duration.ofSeconds(60));
        assertThat(owners).hasSize(PARTITIONS);
    }

    @Test
    @Order(5)
    void rulesReloadWithoutRestartAndABadFileKeepsThePreviousRules() throws Exception {
        Files.writeString(rulesFile, RULES + """
                  - name: broken
                    expression: event.body.amount > > 1
                """);
        // Both live instances have tried the bad file (and kept their rules) before the next event.
        await("both instances rejected the bad rules file").atMost(Duration.ofSeconds(30))
                .until(() -> reloadFailures(instances.get("c1")) >= 1 && reloadFailures(instances.get("c3")) >= 1);
        String stillTallied = send(key(20), 1.0, "reload-test");
        assertThat(awaitRecords("alerts", r -> readJson(r.value()).path("eventId").asText().equals(stillTallied), 1)).hasSize(1);
        ConsumerInstance survivor = instances.get("c1");
        assertThat(survivor.metrics()).containsPattern("sluice_consumer_rules_reload_failures_total\\{[^}]*} [1-9]");
        assertThat(survivor.log()).contains("rule 'broken' (rules[2])");

        Files.writeString(rulesFile, RULES + """
                  - name: big_spend
                    severity: high
                    expression: event.body.amount >= 1000
                """);
        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        await("the new rule fires without a restart").atMost(Duration.ofSeconds(60)).until(() -> {
            String id = send(key(21), 5000.0, "reload-test");
            producer.flush();
            fired.set(!consume("alerts", r -> readJson(r.value()).path("eventId").asText().equals(id)
                    && readJson(r.value()).path("rule").asText().equals("big_spend"), 1, Duration.ofSeconds(5)).isEmpty());
            return fired.get();
        });
        assertThat(fired.get()).as("the new rule fires without a restart").isTrue();
    }

    @Test
    @Order(6)
    void atLeastOnceWithoutRulesOnParallelThreadsLosesNothingOnKillNineAndCommitsEverythingOnACleanStop() throws Exception {
        // A second group, own outputs, at_least_once, two processing threads each: offsets are committed
        // asynchronously once the outputs before them are acknowledged, and synchronously on stop.
        String run = "alos-" + UUID.randomUUID();
        // No rules: the bodies are copied through as bytes (the raw path), the profile spliced in.
        Map<String, String> alos = Map.of("group.id", "alos", "processing.guarantee", "at_least_once", "processing.threads", "2", "rules.file", "",
                "topic.enriched", "alos.enriched", "topic.alerts", "alos.alerts", "topic.dlq", "alos.dlq");
        List<ConsumerInstance> members = new ArrayList<>();
        try {
            for (String id : List.of("a1", "a2")) {
                Map<String, String> settings = new LinkedHashMap<>(baseSettings());
                settings.putAll(alos);
                members.add(ConsumerInstance.start(workDir.resolve("consumers"), id, settings));
            }
            awaitAllPartitionsActive(members, Duration.ofSeconds(120));
            // The new group starts from the beginning of events.raw: its asynchronous commits catch up with it.
            await("the group has processed and committed the earlier tests' events").atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertCommittedToTheEnd("alos"));
            ConsumerInstance victim = members.get(1);
            int total = 3000;
            Set<String> expectedIds = new HashSet<>();
            sendKillingMidway(victim, IntStream.range(2000, 2200).mapToObj(PartitionedConsumerIT::key).toList(), total, run)
                    .values().forEach(expectedIds::addAll);
            // Count distinct ids, not records: the duplicates at-least-once allows would end the read early.
            List<ConsumerRecord<String, byte[]>> outputs = consume("alos.enriched", r -> expectedIds.contains(idOf(r)),
                    out -> out.stream().map(PartitionedConsumerIT::idOf).distinct().count() >= total, Duration.ofSeconds(180));
            Set<String> seen = new HashSet<>();
            outputs.forEach(r -> seen.add(idOf(r)));
            assertThat(seen).as("every input event is in the output at least once").containsExactlyInAnyOrderElementsOf(expectedIds);
            for (ConsumerRecord<String, byte[]> record : outputs) {
                Event event = CODEC.decode(record.value());
                assertThat(record.partition()).as("output partition = input partition of the key").isEqualTo(partitionOf(event.key()));
                assertThat(event.body().path("run").asText()).isEqualTo(run);
                assertThat(event.profile()).as("enriched").isNotNull();
                assertThat(event.profile().path("segment").asText()).isEqualTo("retail");
                assertThat(event.profile().path("credit_limit").asDouble())
                        .isEqualTo(1000.0 + Integer.parseInt(event.key().substring("card-".length())));
                assertThat(event.profile().has("holder")).as("only the enrich attributes").isFalse();
            }

            // A clean stop commits what the survivor processed: the group's offsets reach the input's end.
            ConsumerInstance survivor = members.get(0);
            awaitAllPartitionsActive(List.of(survivor), Duration.ofSeconds(60));
            survivor.close();
            assertThat(survivor.alive()).isFalse();
            assertCommittedToTheEnd("alos");
        } finally {
            for (ConsumerInstance member : members) {
                member.close();
            }
        }
    }

    @Test
    @Order(7)
    void aFrozenInstanceReplacedUnderItsIdLosesAndDuplicatesNothingWhenItWakesUp() throws Exception {
        // A zombie: z1 freezes with work in flight (SIGSTOP, as a long GC pause or a stalled VM would), its session
        // expires, and a new process takes over its instance id, as YARN does when it restarts a container. Then the
        // old process wakes up where it stopped: open transactions, a commit in flight, a stale group generation.
        String run = "zombie-" + UUID.randomUUID();
        Map<String, String> group = Map.of("group.id", "zombie", "topic.enriched", "zombie.enriched", "topic.alerts", "zombie.alerts",
                "topic.dlq", "zombie.dlq");
        List<String> keys = IntStream.range(2200, 2300).mapToObj(PartitionedConsumerIT::key).toList();
        Map<String, List<String>> idsByKey = new LinkedHashMap<>();
        List<ConsumerInstance> started = new ArrayList<>();
        try {
            ConsumerInstance zombie = startInGroup(started, "consumers", "z1", group);
            ConsumerInstance z2 = startInGroup(started, "consumers", "z2", group);
            awaitAllPartitionsActive(List.of(zombie, z2), Duration.ofSeconds(120));
            await("the new group has processed and committed the earlier tests' events").atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertCommittedToTheEnd("zombie"));

            double zombieOutBefore = eventsOut(zombie);
            sendOver(keys, 0, 1000, run, idsByKey);
            producer.flush();
            await("z1 processes events of this run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> eventsOut(zombie) > zombieOutBefore);
            zombie.freeze();

            sendOver(keys, 1000, 2000, run, idsByKey);
            producer.flush();
            await("z2 takes every partition once z1's session has expired").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500)).until(() -> ownedPartitions(z2) == PARTITIONS);
            ConsumerInstance replacement = startInGroup(started, "consumers-replacement", "z1", group);
            awaitAllPartitionsActive(List.of(replacement, z2), Duration.ofSeconds(120));

            zombie.thaw();
            sendOver(keys, 2000, 3000, run, idsByKey);
            producer.flush();

            assertEachEventOnceInSendingOrder("zombie.enriched", idsByKey);
            assertTalliesCountEachKeysEvents("zombie.alerts", idsByKey);
            await("the woken zombie stops: its instance id is held by the replacement").atMost(Duration.ofSeconds(60))
                    .until(() -> !zombie.alive());
            assertThat(zombie.exitCode()).as("exit code of the zombie; its log:%n%s", zombie.log()).isNotZero();
            assertThat(zombie.log()).contains("held by another process");
            assertThat(replacement.alive()).as("the replacement runs on").isTrue();
            assertThat(z2.alive()).as("z2 runs on").isTrue();
            awaitAllPartitionsActive(List.of(replacement, z2), Duration.ofSeconds(60));
        } finally {
            for (ConsumerInstance instance : started) {
                instance.close();
            }
        }
    }

    @Test
    @Order(8)
    void atLeastOnceThroughABrokerRestartLosesNothingKeepsEachKeysOrderAndGoesOn() throws Exception {
        // At-least-once: an idempotent producer, no transactions; offsets are committed once the outputs before
        // them are acknowledged. The broker goes away while outputs are in flight.
        String run = "restart-" + UUID.randomUUID();
        Map<String, String> group = Map.of("group.id", "alos-restart", "processing.guarantee", "at_least_once", "rules.file", "",
                "topic.enriched", "restart.enriched", "topic.alerts", "restart.alerts", "topic.dlq", "restart.dlq");
        List<String> keys = IntStream.range(2300, 2400).mapToObj(PartitionedConsumerIT::key).toList();
        Map<String, List<String>> idsByKey = new LinkedHashMap<>();
        List<ConsumerInstance> started = new ArrayList<>();
        try {
            ConsumerInstance r1 = startInGroup(started, "consumers", "r1", group);
            ConsumerInstance r2 = startInGroup(started, "consumers", "r2", group);
            List<ConsumerInstance> members = List.of(r1, r2);
            awaitAllPartitionsActive(members, Duration.ofSeconds(120));
            await("the new group has processed and committed the earlier tests' events").atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertCommittedToTheEnd("alos-restart"));

            double outBefore = eventsOut(r1) + eventsOut(r2);
            sendOver(keys, 0, 1500, run, idsByKey);
            producer.flush();
            await("the group processes events of this run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> eventsOut(r1) + eventsOut(r2) > outBefore);
            stack.stop(Service.KAFKA);
            try {
                // Kafka comes back once every member's consumers have lost their connections to it.
                await("both members' consumers see the broker gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> disconnectedFromKafka(r1) && disconnectedFromKafka(r2));
            } finally {
                stack.start(Service.KAFKA);
            }
            sendOver(keys, 1500, 3000, run, idsByKey);
            producer.flush();

            Set<String> expectedIds = new HashSet<>();
            idsByKey.values().forEach(expectedIds::addAll);
            List<ConsumerRecord<String, byte[]>> outputs = consume("restart.enriched", r -> expectedIds.contains(idOf(r)),
                    out -> out.stream().map(PartitionedConsumerIT::idOf).distinct().count() >= expectedIds.size(), Duration.ofSeconds(180));
            Map<String, List<String>> firstSeenOrder = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (ConsumerRecord<String, byte[]> record : outputs) {
                if (seen.add(idOf(record))) {
                    firstSeenOrder.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(idOf(record));
                }
            }
            assertThat(seen).as("every input event is in the output at least once").containsExactlyInAnyOrderElementsOf(expectedIds);
            // A repeat after a rewind replays a key's events in their order: no event overtakes one sent before it.
            assertThat(firstSeenOrder).as("each key's events first appear in the order they were sent").isEqualTo(idsByKey);
            for (ConsumerInstance member : members) {
                assertThat(member.alive()).as("%s still running after the broker restart; its log:%n%s", member.id(), member.log()).isTrue();
            }
            awaitAllPartitionsActive(members, Duration.ofSeconds(60));
            await("the group's commits catch up with the input again").atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertCommittedToTheEnd("alos-restart"));
        } finally {
            for (ConsumerInstance instance : started) {
                instance.close();
            }
        }
    }

    // ---- helpers ----

    private static ConsumerInstance startInGroup(List<ConsumerInstance> started, String dir, String id, Map<String, String> group)
            throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(baseSettings());
        settings.putAll(group);
        ConsumerInstance instance = ConsumerInstance.start(workDir.resolve(dir), id, settings);
        started.add(instance);
        return instance;
    }

    /** Sends events {@code from} to {@code to} (exclusive) over the keys in turn, adding their ids to each key's list. */
    private static void sendOver(List<String> keys, int from, int to, String run, Map<String, List<String>> idsByKey) throws Exception {
        for (int i = from; i < to; i++) {
            String key = keys.get(i % keys.size());
            idsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(send(key, 1.0, run));
        }
    }

    private static int ownedPartitions(ConsumerInstance instance) {
        JsonNode status = instance.status();
        return status == null ? 0 : status.path("partitions").size();
    }

    /** Every event of {@code idsByKey} is in the topic (read_committed) exactly once, each key's events in sending order. */
    private static void assertEachEventOnceInSendingOrder(String topic, Map<String, List<String>> idsByKey) {
        Set<String> expectedIds = new HashSet<>();
        idsByKey.values().forEach(expectedIds::addAll);
        List<ConsumerRecord<String, byte[]>> outputs = consume(topic, r -> expectedIds.contains(idOf(r)), expectedIds.size(),
                Duration.ofSeconds(180));
        Map<String, Integer> seen = new HashMap<>();
        outputs.forEach(r -> seen.merge(idOf(r), 1, Integer::sum));
        assertThat(seen.keySet()).as("every input event is in %s", topic).containsExactlyInAnyOrderElementsOf(expectedIds);
        assertThat(seen.values()).as("and only once").allMatch(n -> n == 1);
        // A key's events span many transactions, committed in turn from an instance's two producers.
        Map<String, List<String>> outputOrder = new LinkedHashMap<>();
        outputs.forEach(r -> outputOrder.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(idOf(r)));
        assertThat(outputOrder).as("each key's events in %s in the order they were sent", topic).isEqualTo(idsByKey);
    }

    /**
     * The tally rule fires on every event with its key's window count. With the windows restored from the changelog
     * after every change of owner, and no event counted twice, the counts go 1, 2, 3... per key, in sending order.
     */
    private static void assertTalliesCountEachKeysEvents(String alertsTopic, Map<String, List<String>> idsByKey) {
        Set<String> expectedIds = new HashSet<>();
        idsByKey.values().forEach(expectedIds::addAll);
        List<ConsumerRecord<String, byte[]>> tallies = consume(alertsTopic, r -> {
            JsonNode alert = readJson(r.value());
            return alert.path("rule").asText().equals("tally") && expectedIds.contains(alert.path("eventId").asText());
        }, expectedIds.size(), Duration.ofSeconds(120));
        Map<String, Long> countOfEvent = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : tallies) {
            JsonNode alert = readJson(record.value());
            assertThat(countOfEvent.put(alert.path("eventId").asText(), alert.path("values").path("window.count_1h").asLong()))
                    .as("one tally per event").isNull();
        }
        for (Map.Entry<String, List<String>> entry : idsByKey.entrySet()) {
            List<Long> counts = entry.getValue().stream().map(countOfEvent::get).toList();
            assertThat(counts).as("window counts of %s", entry.getKey())
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, counts.size()).mapToObj(n -> (long) n).toList());
        }
    }

    /**
     * Sends {@code total} events over the keys in turn and kills the victim with SIGKILL while it works
     * through the first third, the rest still to come. Returns each key's event ids in sending order.
     */
    private static Map<String, List<String>> sendKillingMidway(ConsumerInstance victim, List<String> keys, int total, String run)
            throws Exception {
        Map<String, List<String>> idsByKey = new LinkedHashMap<>();
        double victimOutBefore = eventsOut(victim);
        for (int i = 0; i < total; i++) {
            String key = keys.get(i % keys.size());
            idsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(send(key, 1.0, run));
            if (i == total / 3) {
                producer.flush();
                await("the victim processes events of this run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> eventsOut(victim) > victimOutBefore);
                victim.kill();
            }
        }
        producer.flush();
        assertThat(victim.alive()).isFalse();
        return idsByKey;
    }

    /** The group's committed offset of every events.raw partition is that partition's end. */
    private static void assertCommittedToTheEnd(String group) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", endpoints.kafkaBootstrapServers()))) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition("events.raw", p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            for (TopicPartition tp : latest.keySet()) {
                long end = ends.get(tp).offset();
                long position = committed.get(tp) == null ? 0 : committed.get(tp).offset(); // nothing to commit in an empty partition
                assertThat(position).as("committed offset of %s", tp).isEqualTo(end);
            }
        }
    }

    private static Profile profile(int i, String segment) {
        return new Profile(key(i), Map.of("holder", "Holder " + i, "segment", segment, "credit_limit", 1000.0 + i));
    }

    private static String key(int i) {
        return "card-" + i;
    }

    private static int partitionOf(String key) {
        return Buckets.defaults().partitionOfKey(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    private static String send(String key, double amount, String run) throws Exception {
        String id = UUID.randomUUID().toString();
        ObjectNode body = JSON.createObjectNode().put("card_id", key).put("amount", amount).put("run", run);
        Instant now = Instant.now();
        producer.send(new ProducerRecord<>("events.raw", key, CODEC.encode(new Event(id, key, now, now, body))));
        return id;
    }

    private static String idOf(ConsumerRecord<String, byte[]> record) {
        try {
            return CODEC.decode(record.value()).id();
        } catch (Exception e) {
            return "";
        }
    }

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static Map<String, Event> awaitEnriched(Set<String> ids) throws Exception {
        producer.flush();
        Map<String, Event> out = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : consume("events.enriched", r -> ids.contains(idOf(r)), ids.size(), Duration.ofSeconds(60))) {
            Event event = CODEC.decode(record.value());
            out.put(event.id(), event);
        }
        assertThat(out.keySet()).containsAll(ids);
        return out;
    }

    /** Matching records of a topic as JSON, the raw value under "_value". */
    private static List<JsonNode> awaitRecords(String topic, Predicate<ConsumerRecord<String, byte[]>> match, int expected) throws Exception {
        producer.flush();
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consume(topic, match, expected, Duration.ofSeconds(60))) {
            out.add(JSON.createObjectNode().put("_value", new String(record.value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** Reads the whole topic, read_committed, until {@code expected} records match or the deadline passes. */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
                                                                int expected, Duration timeout) {
        return consume(topic, match, out -> expected > 0 && out.size() >= expected, timeout);
    }

    /** Reads the whole topic, read_committed, until the matching records satisfy {@code done} or the deadline passes. */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
                                                                Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (match.test(record)) {
                        out.add(record);
                    }
                }
                if (done.test(out)) {
                    // Keep reading what is already there, so a duplicate would be counted too.
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(1000))) {
                        if (match.test(record)) {
                            out.add(record);
                        }
                    }
                    break;
                }
            }
        }
        return out;
    }

    private static Map<Integer, String> awaitAllPartitionsActive(java.util.Collection<ConsumerInstance> members, Duration timeout) {
        try {
            return await("all partitions active, each member owning some").atMost(timeout).pollInterval(Duration.ofMillis(500))
                    .until(() -> owners(members), java.util.Optional::isPresent).orElseThrow();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder();
            members.forEach(m -> logs.append("\n--- ").append(m.id()).append(" ---\n").append(m.log()));
            return fail("partitions never all active: " + e.getMessage() + logs);
        }
    }

    /** Partition → owning instance, when every partition has exactly one owner and every member owns some. */
    private static java.util.Optional<Map<Integer, String>> owners(java.util.Collection<ConsumerInstance> members) {
        Map<Integer, String> owners = new HashMap<>();
        for (ConsumerInstance instance : members) {
            JsonNode status = instance.status();
            if (status == null) {
                return java.util.Optional.empty();
            }
            for (var it = status.path("partitions").fieldNames(); it.hasNext(); ) {
                if (owners.put(Integer.parseInt(it.next()), instance.id()) != null) {
                    return java.util.Optional.empty();
                }
            }
        }
        boolean settled = owners.size() == PARTITIONS && new HashSet<>(owners.values()).size() == members.size();
        return settled ? java.util.Optional.of(owners) : java.util.Optional.empty();
    }

    /** Whether none of the instance's Kafka consumers (input and profile updates) holds a connection. */
    private static boolean disconnectedFromKafka(ConsumerInstance instance) throws Exception {
        List<Double> connections = instance.metricValues("kafka_consumer_connection_count");
        return !connections.isEmpty() && connections.stream().allMatch(c -> c == 0);
    }

    private static double eventsOut(ConsumerInstance instance) throws Exception {
        return instance.metric("sluice_consumer_events_out_total");
    }

    private static double reloadFailures(ConsumerInstance instance) throws Exception {
        return instance.metric("sluice_consumer_rules_reload_failures_total");
    }
}
