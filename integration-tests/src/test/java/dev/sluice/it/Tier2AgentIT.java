package dev.sluice.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.DeadLetterHeaders;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.flume.EventRowKey;
import dev.sluice.solr.RejectedRecord;
import dev.sluice.solr.SolrClients;
import dev.sluice.solr.SolrCollections;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.internal.ServiceProcess;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.hadoop.hbase.util.Bytes;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.response.FacetField;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tier-2 agent as shipped ({@code conf/flume/tier2.properties}), two instances in one consumer
 * group, with exactly Flume's jars plus the plugin jar, on real Kafka, HBase, SolrCloud and HDFS:
 * every enriched event lands once in HBase and Solr and at least once in HDFS, alerts land in Solr
 * and HDFS, through a kill -9 of one agent, a frozen Solr and documents Solr refuses.
 *
 * <p>Each test writes its own run of events (ids {@code <run>-<n>}, {@code body.run = <run>}) and
 * asserts on that run only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Tier2AgentIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();
    private static final byte[] FAMILY = Bytes.toBytes(ProfileTables.EVENTS_FAMILY);
    private static final Instant BASE_TIME = Instant.parse("2026-11-21T09:00:00Z");
    private static final List<String> SEGMENTS = List.of("gold", "silver", "basic");

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static Connection hbase;
    private static CloudSolrClient solr;
    private static KafkaProducer<String, byte[]> producer;
    private static final Map<String, FlumeAgent> agents = new HashMap<>();

    @BeforeAll
    static void startStackAndAgents() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tier2-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack"))
                .services(Service.ZOOKEEPER, Service.KAFKA, Service.HBASE, Service.SOLR, Service.HDFS).stopOnExit(true).build();
        endpoints = stack.start();

        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.enriched", 4, (short) 1), new NewTopic("alerts", 2, (short) 1),
                    new NewTopic("events.dlq", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        hbase = ConnectionFactory.createConnection(conf);
        try (Admin admin = hbase.getAdmin()) {
            ProfileTables.initEvents(admin, TableName.valueOf(ProfileTables.DEFAULT_EVENTS_TABLE), Buckets.defaults(), 4,
                    Compression.Algorithm.NONE);
        }
        solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000);
        SolrCollections.init(solr, SolrCollections.DEFAULT_COLLECTIONS, 1, 1);

        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
        startAgent("tier2-a");
        startAgent("tier2-b");
    }

    @AfterAll
    static void stopEverything() throws IOException {
        agents.values().forEach(FlumeAgent::close);
        if (producer != null) {
            producer.close();
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
    void landsEveryEventOnceInHBaseSolrAndHdfsAndTheAlertsInSolr() throws Exception {
        List<Event> events = events("land", 3000);
        send(events);
        List<String> alertIds = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Event event = events.get(i * 50);
            String rule = i % 3 == 0 ? "over_limit" : "burst";
            alertIds.add(event.id() + ":" + rule);
            producer.send(new ProducerRecord<>("alerts", event.key(), alert(event, rule)));
        }
        producer.flush();

        awaitSolrCount("events", "body_run_s:land", events.size());
        awaitSolrCount("alerts", "event_id:land-*", alertIds.size());
        assertEveryRowInHBase(events);
        Pipes.awaitEveryIdInHdfs(endpoints.hdfsHttpUrl(), "/sluice/events.enriched", ids(events), Duration.ofSeconds(180));
        Pipes.awaitEveryIdInHdfs(endpoints.hdfsHttpUrl(), "/sluice/alerts", new HashSet<>(alertIds), Duration.ofSeconds(180));

        // Queried the ways users query: by id, by event-time range, faceted on profile and payload.
        Event sample = events.get(1234);
        SolrDocument byId = solr.getById("events", sample.id());
        assertThat((Object) byId).isNotNull();
        assertThat(byId.getFieldValue("key")).isEqualTo(sample.key());
        assertThat(byId.getFieldValue("body_amount_d")).isEqualTo(sample.body().get("amount").asDouble());
        assertThat(byId.getFieldValue("profile_segment_s")).isEqualTo(sample.profile().get("segment").asText());

        // Event i happened at BASE_TIME + i s: [1000 s, 2000 s) holds exactly events 1000..1999.
        QueryResponse range = solr.query("events", new SolrQuery("body_run_s:land")
                .addFilterQuery("event_time:[" + BASE_TIME.plusSeconds(1000) + " TO " + BASE_TIME.plusSeconds(2000) + "}").setRows(0));
        assertThat(range.getResults().getNumFound()).isEqualTo(1000);

        QueryResponse facets = solr.query("events", new SolrQuery("body_run_s:land").setRows(0).setFacet(true)
                .addFacetField("profile_segment_s", "body_merchant_s"));
        Map<String, Long> bySegment = counts(facets.getFacetField("profile_segment_s"));
        assertThat(bySegment).containsEntry("gold", 1000L).containsEntry("silver", 1000L).containsEntry("basic", 1000L);
        assertThat(counts(facets.getFacetField("body_merchant_s"))).hasSize(7).containsEntry("m-0", 429L);

        QueryResponse rules = solr.query("alerts", new SolrQuery("event_id:land-*").setRows(0).setFacet(true).addFacetField("rule"));
        assertThat(counts(rules.getFacetField("rule"))).containsEntry("over_limit", 20L).containsEntry("burst", 40L);

        // Both instances took part: the consumer group shared the partitions.
        for (FlumeAgent agent : agents.values()) {
            assertThat(agent.counter("CHANNEL.solr_events", "EventTakeSuccessCount")).as("events taken by %s", agent.log()).isPositive();
        }
    }

    @Test
    @Order(2)
    void aKilledAgentsPartitionsMoveToTheOtherAndNothingIsLostOrDuplicated() throws Exception {
        List<Event> events = events("kill", 24_000);
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        // Send at ~3,000 events/s, so that the kill lands mid-stream.
        Thread paced = new Thread(() -> {
            try {
                for (int i = 0; i < events.size(); i += 300) {
                    send(events.subList(i, Math.min(events.size(), i + 300)));
                    Thread.sleep(100);
                }
            } catch (Throwable t) {
                producerFailure.set(t);
            }
        }, "paced-producer");
        paced.start();

        FlumeAgent victim = agents.get("tier2-a");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> victim.counter("SINK.solr_events", "EventDrainSuccessCount") >= 2000);
        long hbaseByVictim = victim.counter("SINK.hbase_events", "EventDrainSuccessCount");
        victim.kill();
        agents.remove("tier2-a");
        paced.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(producerFailure.get()).isNull();

        awaitSolrCount("events", "body_run_s:kill", events.size());
        assertEveryRowInHBase(events);
        Pipes.awaitEveryIdInHdfs(endpoints.hdfsHttpUrl(), "/sluice/events.enriched", ids(events), Duration.ofSeconds(180));
        assertThat(hbaseByVictim).as("the killed agent had been writing").isPositive();
        // Exactly once in Solr: one document per id (the id is the unique key, so a re-read
        // overwrote), and nothing else of this run.
        assertThat(solr.query("events", new SolrQuery("id:kill-*").setRows(0)).getResults().getNumFound()).isEqualTo(events.size());

        // The killed agent returns: the group gives it partitions back and it takes new events.
        FlumeAgent returned = startAgent("tier2-a");
        List<Event> after = events("back", 4000);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            send(after.subList(0, 100));
            assertThat(returned.counter("CHANNEL.solr_events", "EventTakeSuccessCount")).isPositive();
        });
        send(after);
        awaitSolrCount("events", "body_run_s:back", after.size());
    }

    @Test
    @Order(3)
    void aFrozenSolrHoldsEventsBackUntilItReturnsAndLosesNothing() throws Exception {
        ProcessHandle solrProcess = ServiceProcess.find(workDir.resolve("stack"), Service.SOLR).orElseThrow();
        List<Event> events = events("freeze", 5000);
        long failuresBefore = sum("SINK.solr_events", "ConnectionFailedCount") + sum("SINK.solr_events", "SolrRetryCount");
        dev.sluice.stack.ProcessSignals.freeze(solrProcess.pid());
        try {
            send(events);
            // HBase is not held back by Solr: its own consumer group goes on.
            assertEveryRowInHBase(events);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> sum("SINK.solr_events", "ConnectionFailedCount") + sum("SINK.solr_events", "SolrRetryCount") > failuresBefore);
        } finally {
            dev.sluice.stack.ProcessSignals.thaw(solrProcess.pid());
        }
        awaitSolrCount("events", "body_run_s:freeze", events.size());
        assertThat(sum("SINK.solr_events", "DocumentRejectedCount")).as("an unavailable Solr never dead-letters").isZero();
    }

    @Test
    @Order(4)
    void aDocumentSolrRefusesGoesToTheDeadLetterTopicWithSolrsMessageAndItsBatchIsIndexed() throws Exception {
        List<Event> events = events("reject", 500);
        // "card-id" and "card_id" both become body_card_id_s: two values for a single-valued field.
        ObjectNode clash = events.get(100).body().deepCopy().put("card-id", "a").put("card_id", "b");
        Event refused = new Event("reject-refused", "card-1", BASE_TIME, BASE_TIME, clash, events.get(100).profile());
        ObjectNode huge = events.get(200).body().deepCopy().put("note", "x".repeat(40_000));
        Event oversized = new Event("reject-oversized", "card-3", BASE_TIME, BASE_TIME, huge, events.get(200).profile());
        List<Event> batch = new ArrayList<>(events);
        batch.add(refused);
        batch.add(oversized);
        send(batch);
        producer.send(new ProducerRecord<>("events.enriched", "card-2", "this is not an event".getBytes(StandardCharsets.UTF_8)));
        producer.flush();

        awaitSolrCount("events", "body_run_s:reject", events.size());
        assertThat((Object) solr.getById("events", refused.id())).isNull();

        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            dead.clear();
            dead.addAll(Pipes.consumeAvailable(endpoints.kafkaBootstrapServers(), "events.dlq",
                    new StringDeserializer(), new StringDeserializer()).stream()
                    .filter(r -> "solr-sink:events".equals(Pipes.header(r, DeadLetterHeaders.STAGE))).toList());
            assertThat(dead).extracting(r -> Pipes.header(r, DeadLetterHeaders.REASON))
                    .contains(RejectedRecord.SOLR_REJECTED, RejectedRecord.MALFORMED_EVENT, RejectedRecord.FIELD_TOO_LARGE);
        });
        ConsumerRecord<String, String> tooLarge = dead.stream()
                .filter(r -> RejectedRecord.FIELD_TOO_LARGE.equals(Pipes.header(r, DeadLetterHeaders.REASON))).findFirst().orElseThrow();
        assertThat(Pipes.header(tooLarge, DeadLetterHeaders.FIELD)).isEqualTo("body_note_s");
        assertThat(CODEC.decode(tooLarge.value().getBytes(StandardCharsets.UTF_8)).id()).isEqualTo(oversized.id());
        ConsumerRecord<String, String> solrRefused = dead.stream()
                .filter(r -> RejectedRecord.SOLR_REJECTED.equals(Pipes.header(r, DeadLetterHeaders.REASON))).findFirst().orElseThrow();
        assertThat(Pipes.header(solrRefused, DeadLetterHeaders.MESSAGE)).contains("body_card_id_s");
        assertThat(CODEC.decode(solrRefused.value().getBytes(StandardCharsets.UTF_8)).id()).isEqualTo(refused.id());
        assertThat(solrRefused.key()).isEqualTo("card-1");
        // HBase takes what Solr refused: each destination judges the event by its own rules.
        assertEveryRowInHBase(List.of(refused, oversized));
    }

    @Test
    @Order(5)
    void aMisconfiguredSolrSinkIsRefusedAtStartNamingTheKey() throws Exception {
        String config = Files.readString(FlumeAgent.confDir().resolve("flume/tier2.properties"))
                .replace("tier2.sinks.solr_alerts.batchSize = 500", "tier2.sinks.solr_alerts.batchSise = 500");
        try (FlumeAgent agent = FlumeAgent.start(workDir.resolve("agent-misconfigured"), "tier2", config, List.of(FlumeAgent.pluginJar()),
                FlumeAgent.tier2Environment(endpoints, "tier2-misconfigured"))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(Files.readString(agent.log())).contains("Solr sink 'solr_alerts' is misconfigured")
                            .contains("batchSise: unknown key (did you mean 'batchSize'?)"));
        }
    }

    @Test
    @Order(6)
    void replayFromATimeReprocessesWhatTheDryRunSaidAndChangesNothingInHBaseOrSolr() throws Exception {
        List<Event> events = events("replay", 2000);
        Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        // Record timestamps (CreateTime, in ms) must fall after 'before'.
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(1)).until(() -> Instant.now().isAfter(before.plusMillis(1)));
        send(events);
        awaitSolrCount("events", "body_run_s:replay", events.size());
        assertEveryRowInHBase(events);
        List<String> groups = List.of("sluice-tier2-solr-events", "sluice-tier2-hbase-events");
        Pipes.awaitNoLag(endpoints.kafkaBootstrapServers(), Map.of(groups.get(0), "events.enriched", groups.get(1), "events.enriched"), false,
                Duration.ofSeconds(120));
        solr.commit("events");
        long solrDocuments = solr.query("events", new SolrQuery("*:*").setRows(0)).getResults().getNumFound();
        long hbaseRows = hbaseRows();
        String at = java.time.LocalDateTime.ofInstant(before, java.time.ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS"));

        CliRun busy = cli("replay", "reset", "--group", groups.get(0), "--topic", "events.enriched", "--to-datetime", at);
        assertThat(busy.exitCode()).as(busy.out()).isEqualTo(1);
        assertThat(busy.err()).contains("active member(s)");

        agents.values().forEach(FlumeAgent::close);
        agents.clear();
        for (String group : groups) {
            CliRun dryRun = cli("replay", "reset", "--group", group, "--topic", "events.enriched", "--to-datetime", at, "--dry-run");
            assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
            assertThat(dryRun.out()).contains("dry run: group " + group + " on events.enriched: 2,000 record(s) to process");
            // The same targets as Kafka's own kafka-consumer-groups --reset-offsets --to-datetime.
            assertThat(targets(dryRun.out())).isEqualTo(kafkaToolTargets(group, at));
            CliRun reset = cli("replay", "reset", "--group", group, "--topic", "events.enriched", "--to-datetime", at);
            assertThat(reset.exitCode()).as(reset.err()).isZero();
        }

        FlumeAgent again = startAgent("tier2-a");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                again.counter("SINK.solr_events", "EventDrainSuccessCount") >= 2000 && again.counter("SINK.hbase_events", "EventDrainSuccessCount") >= 2000);
        Pipes.awaitNoLag(endpoints.kafkaBootstrapServers(), Map.of(groups.get(0), "events.enriched", groups.get(1), "events.enriched"), false,
                Duration.ofSeconds(120));
        assertThat(again.counter("SINK.solr_events", "EventDrainSuccessCount")).as("re-processed = the dry run's count").isEqualTo(2000);
        assertThat(again.counter("SINK.hbase_events", "EventDrainSuccessCount")).isEqualTo(2000);
        // No lag: the sinks' Solr updates are acknowledged; a commit makes them visible (no waiting for commitWithin).
        solr.commit("events");
        assertThat(solr.query("events", new SolrQuery("*:*").setRows(0)).getResults().getNumFound()).isEqualTo(solrDocuments);
        assertThat(hbaseRows()).isEqualTo(hbaseRows);
    }

    // ---- helpers ----

    private static CliRun cli(String... args) {
        return CliRun.of(endpoints.kafkaBootstrapServers(), args);
    }

    /** PARTITION -> TARGET from the replay table. */
    private static Map<Integer, Long> targets(String table) {
        Map<Integer, Long> targets = new java.util.TreeMap<>();
        for (String line : table.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length == 6 && columns[0].matches("\\d+") && columns[2].equals("->")) {
                targets.put(Integer.parseInt(columns[0]), Long.parseLong(columns[3]));
            }
        }
        return targets;
    }

    /** kafka-consumer-groups --reset-offsets --to-datetime --dry-run, run from the Kafka install's own jars. */
    private static Map<Integer, Long> kafkaToolTargets(String group, String at) throws IOException, InterruptedException {
        // Kafka's tool refuses even a dry run until a group whose members just left has settled to Empty.
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            await("group " + group + " settles to Empty").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> kafka.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().groupState()
                            == org.apache.kafka.common.GroupState.EMPTY);
        }
        String classpath = String.join(java.io.File.pathSeparator, LocalStack.roleClasspath("kafka").stream().map(Path::toString).toList());
        Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Duser.timezone=UTC",
                "-cp", classpath, "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server",
                endpoints.kafkaBootstrapServers(), "--group", group, "--topic", "events.enriched", "--reset-offsets",
                "--to-datetime", at, "--dry-run").redirectErrorStream(true).start();
        String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tool.waitFor()).as(output).isZero();
        Map<Integer, Long> targets = new java.util.TreeMap<>();
        for (String line : output.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length == 4 && columns[0].equals(group) && columns[2].matches("\\d+")) {
                targets.put(Integer.parseInt(columns[2]), Long.parseLong(columns[3]));
            }
        }
        assertThat(targets).as(output).isNotEmpty();
        return targets;
    }

    private static long hbaseRows() throws IOException {
        long rows = 0;
        try (Table table = hbase.getTable(TableName.valueOf(ProfileTables.DEFAULT_EVENTS_TABLE));
             var scanner = table.getScanner(new org.apache.hadoop.hbase.client.Scan()
                     .setFilter(new org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter()).setCaching(5000))) {
            for (Result ignored : scanner) {
                rows++;
            }
        }
        return rows;
    }

    private static FlumeAgent startAgent(String id) throws IOException {
        FlumeAgent agent = FlumeAgent.startTier2(workDir.resolve(id), id, endpoints);
        agents.put(id, agent);
        return agent;
    }

    /** Enriched events of one run: event i at BASE_TIME + i s, 7 merchants, 3 segments in equal thirds. */
    private static List<Event> events(String run, int count) {
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode body = CODEC.mapper().createObjectNode().put("run", run).put("amount", 10 + (i % 500) * 0.5)
                    .put("merchant", "m-" + (i % 7)).put("card_id", "card-" + (i % 97));
            ObjectNode profile = CODEC.mapper().createObjectNode().put("segment", SEGMENTS.get(i % 3)).put("credit_limit", 1000 + i % 5 * 500);
            events.add(new Event(run + "-" + i, "card-" + (i % 97), BASE_TIME.plusSeconds(i), BASE_TIME.plusSeconds(i), body, profile));
        }
        return events;
    }

    private static byte[] alert(Event event, String rule) throws IOException {
        ObjectNode alert = JSON.createObjectNode().put("id", event.id() + ":" + rule).put("rule", rule).put("severity", "high")
                .put("eventId", event.id()).put("key", event.key()).put("eventTime", event.eventTime().toString())
                .put("instance", "consumer-0").put("detectedAt", Instant.now().toString());
        alert.putObject("values").put("event.body.amount", event.body().get("amount").asDouble());
        return JSON.writeValueAsBytes(alert);
    }

    private static void send(List<Event> events) {
        for (Event event : events) {
            producer.send(new ProducerRecord<>("events.enriched", event.key(), CODEC.encode(event)));
        }
        producer.flush();
    }

    private static Set<String> ids(List<Event> events) {
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.id()));
        return ids;
    }

    private static void awaitSolrCount(String collection, String query, long expected) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(solr.query(collection, new SolrQuery(query).setRows(0)).getResults().getNumFound())
                        .as("documents for %s in %s", query, collection).isEqualTo(expected));
    }

    private static void assertEveryRowInHBase(List<Event> events) {
        Buckets buckets = Buckets.defaults();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            try (Table table = hbase.getTable(TableName.valueOf(ProfileTables.DEFAULT_EVENTS_TABLE))) {
                List<Get> gets = new ArrayList<>();
                events.forEach(e -> gets.add(new Get(EventRowKey.of(buckets, e.key(), e.eventTime(), e.id())).addColumn(FAMILY, Bytes.toBytes("json"))));
                Result[] rows = table.get(gets);
                long present = 0;
                for (int i = 0; i < rows.length; i++) {
                    byte[] stored = rows[i].getValue(FAMILY, Bytes.toBytes("json"));
                    if (stored != null && events.get(i).id().equals(JSON.readTree(stored).path("id").asText())) {
                        present++;
                    }
                }
                assertThat(present).as("HBase rows of the events").isEqualTo(events.size());
            }
        });
    }
    private static Map<String, Long> counts(FacetField field) {
        Map<String, Long> counts = new HashMap<>();
        field.getValues().stream().filter(c -> c.getCount() > 0).forEach(c -> counts.put(c.getName(), c.getCount()));
        return counts;
    }

    private static long sum(String component, String counter) throws InterruptedException {
        long total = 0;
        for (FlumeAgent agent : agents.values()) {
            total += agent.counter(component, counter);
        }
        return total;
    }
}
