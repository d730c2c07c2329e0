package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.DeadLetterHeaders;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.flume.EventRowKey;
import dev.sluice.solr.SolrClients;
import dev.sluice.solr.SolrCollections;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.util.Bytes;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline on one shared real stack (ZooKeeper, Kafka, HBase, SolrCloud, HDFS): the
 * shipped tier-1 agent (HTTP → validate → identify → Kafka channel), two partitioned consumers
 * (enrich + rules, exactly once) and two shipped tier-2 agents (Kafka → HBase, Solr, HDFS), each in
 * its own JVM, driven through the HTTP source like a client would.
 *
 * <p>Each test sends its own run of transactions (ids {@code <run>-<n>}), injects its fault while
 * the run is flowing, and ends with the same reconciliation of that run: every accepted transaction
 * is in {@code events.raw}; every event id there is in {@code events.enriched} exactly as often as
 * in {@code events.raw}; once in HBase and in Solr; at least once in HDFS; and the alerts (in Kafka
 * and Solr) and rule failures (in the DLQ) are exactly what {@link Transactions#oracle} computes
 * from the same inputs and profiles.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndIT {

    private static final int PARTITIONS = 6;
    private static final String GROUP = "sluice-e2e";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();
    private static final byte[] FAMILY = Bytes.toBytes(ProfileTables.EVENTS_FAMILY);
    private static final Instant BASE_TIME = Instant.parse("2026-11-21T09:00:00Z");
    private static final int RATE = 600;
    /** Transactions of a run with an outage: about 20 s at RATE, so traffic flows through stop and wait. */
    private static final int OUTAGE_RUN = 12_000;

    private static Path workDir;
    private static Path rulesFile;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static Connection hbase;
    private static CloudSolrClient solr;
    private static int httpPort;
    private static FlumeAgent tier1;
    private static final Map<String, ConsumerInstance> consumers = new LinkedHashMap<>();
    private static final Map<String, FlumeAgent> tier2 = new LinkedHashMap<>();
    private static TopicTail raw;
    private static TopicTail enriched;
    private static TopicTail alerts;
    private static TopicTail dlq;
    private static int runs;

    @BeforeAll
    static void startThePipeline() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "e2e-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack"))
                .services(Service.ZOOKEEPER, Service.KAFKA, Service.HBASE, Service.SOLR, Service.HDFS).stopOnExit(true).build();
        endpoints = stack.start();

        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1),
                    new NewTopic("events.enriched", PARTITIONS, (short) 1), new NewTopic("alerts", PARTITIONS, (short) 1),
                    new NewTopic("events.dlq", PARTITIONS, (short) 1).configs(Map.of("max.message.bytes", String.valueOf(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES)))))
                    .all().get(60, TimeUnit.SECONDS);
            ProfileUpdates.ensureTopic(kafka, ProfileUpdates.DEFAULT_TOPIC, PARTITIONS);
        }
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        hbase = ConnectionFactory.createConnection(conf);
        Transactions.createTablesWithProfiles(hbase);
        solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000);
        SolrCollections.init(solr, SolrCollections.DEFAULT_COLLECTIONS, 1, 1);

        httpPort = LoopbackPorts.free();
        tier1 = FlumeAgent.startTier1(workDir, endpoints, httpPort, java.util.function.UnaryOperator.identity());

        rulesFile = workDir.resolve("rules.yaml");
        Files.writeString(rulesFile, Transactions.RULES);
        for (String id : List.of("c1", "c2")) {
            consumers.put(id, startConsumer(id));
        }
        awaitAllPartitionsOwned();
        startTier2("tier2-a");
        startTier2("tier2-b");

        raw = new TopicTail(endpoints.kafkaBootstrapServers(), "events.raw");
        enriched = new TopicTail(endpoints.kafkaBootstrapServers(), "events.enriched");
        alerts = new TopicTail(endpoints.kafkaBootstrapServers(), "alerts");
        dlq = new TopicTail(endpoints.kafkaBootstrapServers(), "events.dlq");
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (TopicTail tail : new TopicTail[] {raw, enriched, alerts, dlq}) {
            if (tail != null) {
                tail.close();
            }
        }
        tier2.values().forEach(FlumeAgent::close);
        for (ConsumerInstance consumer : consumers.values()) {
            consumer.close();
        }
        if (tier1 != null) {
            tier1.close();
        }
        if (solr != null) {
            solr.close();
        }
        if (hbase != null) {
            hbase.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyAcceptedTransactionIsEnrichedLandedAndAlertedAsTheOracleSays() throws Exception {
        Run run = Run.start("steady", 3000);
        run.driver.finish();
        reconcile(run);
    }

    @Test
    @Order(2)
    void badInputGoesToTheDeadLetterTopicWithItsReasonAndTheRestFlows() throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"card_id\": \"card-1\", \"amount\": 12", "NOT_JSON");
        bad.put("\u00ff\u00fe binary \u0000\u0001 body", "NOT_JSON");
        bad.put("[1, 2, 3]", "NOT_AN_OBJECT");
        bad.put("{\"txn_id\":\"bad-nokey\",\"amount\":5}", "MISSING_FIELD");
        bad.put("{\"txn_id\":\"bad-emptykey\",\"card_id\":\"  \",\"amount\":5}", "EMPTY_FIELD");
        bad.put("{\"txn_id\":\"bad-objectkey\",\"card_id\":{\"n\":1},\"amount\":5}", "WRONG_TYPE");
        bad.put("{\"txn_id\":\"bad-time\",\"card_id\":\"card-2\",\"amount\":5,\"ts\":\"noon\"}", "WRONG_TYPE");
        bad.put("{\"txn_id\":\"bad-huge\",\"card_id\":\"card-3\",\"note\":\"" + "x".repeat(1_100_000) + "\"}", "TOO_LARGE");
        long dlqBefore = dlq.catchUp().size();

        // Bad lines mixed into the good ones: one bad line costs one event, not its request.
        List<Transactions.Transaction> good = Transactions.generate("mixed", 200, BASE_TIME);
        StringBuilder body = new StringBuilder();
        List<String> badLines = new ArrayList<>(bad.keySet());
        for (int i = 0; i < good.size(); i++) {
            body.append(good.get(i).json()).append('\n');
            if (i % 25 == 0 && i / 25 < badLines.size()) {
                body.append(badLines.get(i / 25)).append('\n');
            }
        }
        Pipes.post(httpPort, body.toString().getBytes(StandardCharsets.UTF_8), tier1);
        Pipes.post(httpPort, new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 61}, tier1);

        Map<String, Long> expectedReasons = bad.values().stream().collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        expectedReasons.merge("NOT_JSON", 1L, Long::sum); // the binary request
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<ConsumerRecord<String, byte[]>> dead = dlq.catchUp();
            Map<String, Long> reasons = dead.subList((int) dlqBefore, dead.size()).stream()
                    .filter(r -> !"RULE_FAILED".equals(Pipes.header(r, DeadLetterHeaders.REASON)))
                    .collect(Collectors.groupingBy(r -> Pipes.header(r, DeadLetterHeaders.REASON), TreeMap::new, Collectors.counting()));
            assertThat(reasons).isEqualTo(expectedReasons);
        });
        List<ConsumerRecord<String, byte[]>> dead = dlq.catchUp();
        ConsumerRecord<String, byte[]> huge = dead.subList((int) dlqBefore, dead.size()).stream()
                .filter(r -> "TOO_LARGE".equals(Pipes.header(r, DeadLetterHeaders.REASON))).findFirst().orElseThrow();
        assertThat(huge.value().length).as("the dead letter keeps the body as received").isGreaterThan(1_100_000);
        ConsumerRecord<String, byte[]> badTime = dead.subList((int) dlqBefore, dead.size()).stream()
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("bad-time")).findFirst().orElseThrow();
        assertThat(Pipes.header(badTime, DeadLetterHeaders.FIELD)).isEqualTo("ts");

        // A hostile rules file (a loop, a huge allocation) is refused by every consumer, which keep their rules.
        Files.writeString(rulesFile, Transactions.RULES + """
                  - name: spin
                    expression: "while (true) { 1 }"
                  - name: hog
                    expression: "new('java.lang.StringBuilder', 1000000000) != null"
                """);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (ConsumerInstance consumer : consumers.values()) {
                assertThat(consumer.metrics()).as(consumer.id()).containsPattern("sluice_consumer_rules_reload_failures_total\\{[^}]*} [1-9]");
            }
        });
        Run after = new Run("mixed", good, null);
        reconcile(after);
        Run run = Run.start("hostile-rules", 1000);
        run.driver.finish();
        reconcile(run);
        Files.writeString(rulesFile, Transactions.RULES);
        consumers.values().forEach(c -> assertThat(c.alive()).as("%s alive", c.id()).isTrue());
    }

    @Test
    @Order(3)
    void aConsumerKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
        Run run = Run.start("consumer-kill", 5000);
        run.awaitAccepted(1500);
        ConsumerInstance victim = consumers.get("c1");
        assertThat(victim.status().path("partitions").size()).as("the victim owns partitions").isPositive();
        victim.kill();
        run.driver.finish();
        consumers.put("c1", startConsumer("c1"));
        awaitAllPartitionsOwned();
        reconcile(run);
    }

    @Test
    @Order(4)
    void aTier2AgentKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
        Run run = Run.start("tier2-kill", 5000);
        run.awaitAccepted(1500);
        FlumeAgent victim = tier2.remove("tier2-a");
        await().atMost(Duration.ofSeconds(60)).until(() -> victim.counter("SINK.solr_events", "EventDrainSuccessCount") > 0);
        victim.kill();
        run.driver.finish();
        startTier2("tier2-a");
        reconcile(run);
    }

    @Test
    @Order(5)
    void hbaseStoppedForAWhile() throws Exception {
        // Long enough (about 20 s of traffic) to go on flowing through a clean HBase stop (about 5 s).
        Run run = Run.start("hbase-outage", OUTAGE_RUN);
        run.awaitAccepted(1000);
        stack.stop(Service.HBASE);
        try {
            long solrAtStop = solrCount(SolrCollections.EVENTS, "id:hbase-outage-*");
            int acceptedAtStop = run.driver.accepted();
            // HBase stays down while traffic flows: nothing upstream of it waits, ingest and the Solr landing go on.
            await("ingest and Solr going on while HBase is down").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        assertThat(run.driver.accepted()).as("accepted while HBase is down").isGreaterThan(acceptedAtStop + 1000);
                        assertThat(solrCount(SolrCollections.EVENTS, "id:hbase-outage-*")).as("indexed in Solr while HBase is down")
                                .isGreaterThan(solrAtStop + 500);
                    });
        } finally {
            stack.start(Service.HBASE);
        }
        run.driver.finish();
        reconcile(run);
    }

    @Test
    @Order(6)
    void solrStoppedForAWhile() throws Exception {
        Run run = Run.start("solr-outage", OUTAGE_RUN);
        run.awaitAccepted(1000);
        long failuresBefore = tier2Sum("SINK.solr_events", "ConnectionFailedCount") + tier2Sum("SINK.solr_events", "SolrRetryCount");
        stack.stop(Service.SOLR);
        try {
            int acceptedAtStop = run.driver.accepted();
            // Solr stays down while traffic flows, until the sinks have met the outage.
            await("the Solr sinks retrying while ingest goes on").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        assertThat(tier2Sum("SINK.solr_events", "ConnectionFailedCount") + tier2Sum("SINK.solr_events", "SolrRetryCount"))
                                .as("the Solr sinks met the outage and retried").isGreaterThan(failuresBefore);
                        assertThat(run.driver.accepted()).as("accepted while Solr is down").isGreaterThan(acceptedAtStop + 1000);
                    });
        } finally {
            stack.start(Service.SOLR);
        }
        run.driver.finish();
        assertThat(tier2Sum("SINK.solr_events", "DocumentRejectedCount")).as("an unavailable Solr never dead-letters").isZero();
        reconcile(run);
    }

    @Test
    @Order(7)
    void theKafkaBrokerRestarted() throws Exception {
        Run run = Run.start("kafka-restart", OUTAGE_RUN);
        run.awaitAccepted(1000);
        stack.stop(Service.KAFKA);
        try {
            // Kafka stays down until the HTTP source has held a request for 5 s.
            await("a request held while Kafka is down").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> run.driver.inFlightMillis() > 5_000);
        } finally {
            stack.start(Service.KAFKA);
        }
        run.driver.finish();
        // The channel's producer holds a put while the broker is away (up to delivery.timeout.ms,
        // then the source answers 503 and the client resends): requests waited, none was lost.
        assertThat(run.driver.longestRequestMillis()).as("longest request while Kafka was down (%d refused)", run.driver.refusals())
                .isGreaterThan(5_000);
        reconcile(run);
        // The coordinator timed the consumers' open transactions out while the broker was away: they start
        // their producers afresh and go on, rather than stop as if a zombie had fenced them.
        for (ConsumerInstance consumer : consumers.values()) {
            assertThat(consumer.alive()).as("consumer %s still running after the broker restart; its log:%n%s", consumer.id(), consumer.log())
                    .isTrue();
            // Under exactly-once every rewind starts the producers afresh.
            assertThat(consumer.metric("sluice_consumer_producer_restarts_total")).as("producer restarts of %s", consumer.id())
                    .isEqualTo(consumer.metric("sluice_consumer_batches_aborted_total"));
        }
    }

    @Test
    @Order(8)
    void consumersResetToAPastTimeReprocessAndHBaseAndSolrAreUnchanged() throws Exception {
        Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // Record timestamps (CreateTime, in ms) must fall after 'before'.
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(1)).until(() -> Instant.now().isAfter(before.plusMillis(1)));
        Run run = Run.start("replay", 2000);
        run.driver.finish();
        reconcile(run);
        awaitTier2CaughtUp();
        solr.commit(SolrCollections.EVENTS);
        solr.commit(SolrCollections.ALERTS);
        long solrEvents = solrCount(SolrCollections.EVENTS, "*:*");
        long solrAlerts = solrCount(SolrCollections.ALERTS, "*:*");
        Map<String, String> hbaseBefore = hbaseIds();
        int enrichedBefore = enriched.catchUp().size();

        for (ConsumerInstance consumer : consumers.values()) {
            consumer.close();
        }
        String at = LocalDateTime.ofInstant(before, ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS"));
        // Static members (instance.id) stay in the group for its session timeout after they close.
        CliRun dryRun = CliRun.of(endpoints.kafkaBootstrapServers(), "replay", "reset", "--group", GROUP, "--topic", "events.raw", "--to-datetime", at, "--dry-run",
                "--wait-for-members", "60");
        assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("2,000 record(s) to process");
        CliRun reset = CliRun.of(endpoints.kafkaBootstrapServers(), "replay", "reset", "--group", GROUP, "--topic", "events.raw", "--to-datetime", at, "--wait-for-members", "60");
        assertThat(reset.exitCode()).as(reset.out() + reset.err()).isZero();
        for (String id : List.of("c1", "c2")) {
            consumers.put(id, startConsumer(id));
        }
        awaitAllPartitionsOwned();

        // The replayed run is enriched a second time...
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(enriched.catchUp().size() - enrichedBefore).isEqualTo(2000));
        awaitTier2CaughtUp();
        // No lag: the sinks' Solr updates are acknowledged; a commit makes them visible (no waiting for commitWithin).
        solr.commit(SolrCollections.EVENTS);
        solr.commit(SolrCollections.ALERTS);
        // ...and lands on the same HBase rows and Solr documents.
        assertThat(solrCount(SolrCollections.EVENTS, "*:*")).isEqualTo(solrEvents);
        assertThat(solrCount(SolrCollections.ALERTS, "*:*")).isEqualTo(solrAlerts);
        assertThat(hbaseIds()).isEqualTo(hbaseBefore);
    }

    // ---- a run of transactions and its reconciliation ----

    /** The transactions of one test and the client that sends them. */
    private record Run(String name, List<Transactions.Transaction> transactions, HttpDriver driver) {

        static Run start(String name, int count) {
            List<Transactions.Transaction> transactions = Transactions.generate(name, count, BASE_TIME.plus(Duration.ofHours(++runs)));
            HttpDriver driver = new HttpDriver(httpPort, transactions, 100, RATE);
            driver.start();
            return new Run(name, transactions, driver);
        }

        void awaitAccepted(int count) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> driver.accepted() >= count);
        }

        Set<String> resent() {
            return driver == null ? Set.of() : driver.resent();
        }
    }

    private static void reconcile(Run run) throws Exception {
        String prefix = run.name() + "-";
        Set<String> sent = run.transactions().stream().map(Transactions.Transaction::id).collect(Collectors.toSet());

        // events.raw: every accepted transaction; more than once only if its request was sent again.
        Map<String, Long> rawCounts = new HashMap<>();
        Map<String, Event> rawEvents = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : raw.catchUp()) {
            Event event = CODEC.decode(record.value());
            if (event.id().startsWith(prefix)) {
                rawCounts.merge(event.id(), 1L, Long::sum);
                rawEvents.put(event.id(), event);
            }
        }
        assertThat(rawCounts.keySet()).as("accepted transactions in events.raw").isEqualTo(sent);
        Set<String> resent = run.resent();
        assertThat(rawCounts.entrySet().stream().filter(e -> e.getValue() > 1 && !resent.contains(e.getKey())).map(Map.Entry::getKey).toList())
                .as("duplicates in events.raw of transactions sent once").isEmpty();

        // events.enriched (read_committed): each event exactly as often as in events.raw.
        Transactions.Expected expected = Transactions.oracle(run.transactions());
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(countsById(enriched, prefix)).as("events.enriched of run %s", run.name()).isEqualTo(rawCounts));
        Map<String, Long> expectedAlerts = asOftenAsTheirEvent(expected.alertIds(), rawCounts);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(countsById(alerts, prefix)).as("alerts of run %s (oracle)", run.name()).isEqualTo(expectedAlerts));
        Map<String, Long> expectedFailures = asOftenAsTheirEvent(expected.ruleFailures(), rawCounts);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(ruleFailures(prefix)).as("RULE_FAILED dead letters of run %s (oracle)", run.name()).isEqualTo(expectedFailures));
        assertThat(expected.alertIds()).as("the run exercises the rules").isNotEmpty();
        System.out.printf("run %s: %,d transactions, %,d in resent requests, %,d records in events.raw, %,d alerts, %,d rule failures%n",
                run.name(), sent.size(), resent.size(), rawCounts.values().stream().mapToLong(Long::longValue).sum(),
                expected.alertIds().size(), expected.ruleFailures().size());

        // Landing: once in HBase and Solr (both keyed by event id), at least once in HDFS.
        awaitEveryRowInHBase(rawEvents.values());
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(solrCount(SolrCollections.EVENTS, "id:" + prefix + "*")).as("Solr events of run %s", run.name()).isEqualTo(sent.size());
            assertThat(solrCount(SolrCollections.ALERTS, "event_id:" + prefix + "*")).as("Solr alerts of run %s", run.name())
                    .isEqualTo(expected.alertIds().size());
        });
        assertThat(hbaseIds().keySet().stream().filter(id -> id.startsWith(prefix)).count()).as("HBase rows of run %s", run.name())
                .isEqualTo(sent.size());
        Pipes.awaitEveryIdInHdfs(endpoints.hdfsHttpUrl(), "/sluice/events.enriched", sent, Duration.ofSeconds(240));
        // Profiles were joined: a known card's event carries its profile, a ghost card's none.
        Transactions.Transaction known = run.transactions().stream().filter(t -> t.card().startsWith("card-")).findFirst().orElseThrow();
        int card = Integer.parseInt(known.card().substring("card-".length()));
        assertThat(solr.getById(SolrCollections.EVENTS, known.id()).getFieldValue("profile_credit_limit_d")).isEqualTo(Transactions.creditLimit(card));
    }

    /** How often each id of the run occurs in the topic, from the ids the tail parsed once. */
    private static Map<String, Long> countsById(TopicTail tail, String prefix) {
        Map<String, Long> counts = new HashMap<>();
        List<ConsumerRecord<String, byte[]>> records = tail.catchUp();
        for (int i = 0; i < records.size(); i++) {
            String id = tail.idAt(i);
            if (id != null && id.startsWith(prefix)) {
                counts.merge(id, 1L, Long::sum);
            }
        }
        return counts;
    }

    /** RULE_FAILED dead letters of the run as {@code <event id>:<rule>} → count. */
    private static Map<String, Long> ruleFailures(String prefix) {
        Map<String, Long> failures = new HashMap<>();
        List<ConsumerRecord<String, byte[]>> records = dlq.catchUp();
        for (int i = 0; i < records.size(); i++) {
            String id = dlq.idAt(i);
            if (id != null && id.startsWith(prefix) && "RULE_FAILED".equals(Pipes.header(records.get(i), DeadLetterHeaders.REASON))) {
                failures.merge(id + ":" + Pipes.header(records.get(i), "sluice.error.rule"), 1L, Long::sum);
            }
        }
        return failures;
    }

    /** Each {@code <event id>:<rule>} expected as often as its event is in events.raw. */
    private static Map<String, Long> asOftenAsTheirEvent(Set<String> eventRuleIds, Map<String, Long> rawCounts) {
        Map<String, Long> expected = new HashMap<>();
        eventRuleIds.forEach(id -> expected.put(id, rawCounts.get(id.substring(0, id.lastIndexOf(':')))));
        return expected;
    }

    private static void awaitEveryRowInHBase(java.util.Collection<Event> events) {
        List<Event> list = List.copyOf(events);
        Buckets buckets = Buckets.defaults();
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            try (Table table = hbase.getTable(TableName.valueOf(ProfileTables.DEFAULT_EVENTS_TABLE))) {
                List<Get> gets = new ArrayList<>();
                list.forEach(e -> gets.add(new Get(EventRowKey.of(buckets, e.key(), e.eventTime(), e.id())).addColumn(FAMILY, Bytes.toBytes("json"))));
                Result[] rows = table.get(gets);
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < rows.length; i++) {
                    byte[] stored = rows[i].getValue(FAMILY, Bytes.toBytes("json"));
                    if (stored == null || !list.get(i).id().equals(JSON.readTree(stored).path("id").asText())) {
                        missing.add(list.get(i).id());
                    }
                }
                assertThat(missing).as("events missing from HBase").isEmpty();
            }
        });
    }

    /** Every row of the events table: event id → row key (hex). */
    private static Map<String, String> hbaseIds() throws IOException {
        Map<String, String> ids = new HashMap<>();
        try (Table table = hbase.getTable(TableName.valueOf(ProfileTables.DEFAULT_EVENTS_TABLE));
             ResultScanner scanner = table.getScanner(new Scan().addColumn(FAMILY, Bytes.toBytes("json"))
                     .setFilter(new org.apache.hadoop.hbase.filter.KeyOnlyFilter()).setCaching(5000))) {
            for (Result row : scanner) {
                String previous = ids.put(EventRowKey.parse(row.getRow()).eventId(), Bytes.toHex(row.getRow()));
                assertThat(previous).as("one row per event id").isNull();
            }
        }
        return ids;
    }

    private static long solrCount(String collection, String query) throws Exception {
        return solr.query(collection, new SolrQuery(query).setRows(0)).getResults().getNumFound();
    }

    // ---- the pipeline's processes ----

    private static ConsumerInstance startConsumer(String id) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", endpoints.kafkaBootstrapServers());
        endpoints.hbaseClientSettings().forEach(settings::put);
        settings.put("group.id", GROUP);
        settings.put("rules.file", rulesFile.toString());
        settings.put("rules.reload.interval.ms", "1000");
        return ConsumerInstance.start(workDir.resolve("consumers"), id, settings);
    }

    private static void awaitAllPartitionsOwned() {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Set<String> owned = new HashSet<>();
            for (ConsumerInstance consumer : consumers.values()) {
                assertThat(consumer.alive()).as("%s alive: %s", consumer.id(), consumer.log()).isTrue();
                JsonNode status = consumer.status();
                assertThat(status).as("%s serving /status", consumer.id()).isNotNull();
                status.path("partitions").fieldNames().forEachRemaining(owned::add);
            }
            assertThat(owned).as("partitions owned").hasSize(PARTITIONS);
        });
    }

    private static void startTier2(String id) throws IOException {
        tier2.put(id, FlumeAgent.startTier2(workDir.resolve(id), id, endpoints));
    }

    private static void awaitTier2CaughtUp() {
        Pipes.awaitNoLag(endpoints.kafkaBootstrapServers(), Map.of("sluice-tier2-solr-events", "events.enriched",
                "sluice-tier2-hbase-events", "events.enriched", "sluice-tier2-solr-alerts", "alerts"), true, Duration.ofSeconds(180));
    }

    private static long tier2Sum(String component, String counter) throws InterruptedException {
        long total = 0;
        for (FlumeAgent agent : tier2.values()) {
            total += agent.counter(component, counter);
        }
        return total;
    }
}
