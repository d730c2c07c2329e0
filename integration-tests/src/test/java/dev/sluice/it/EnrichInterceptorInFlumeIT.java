package dev.sluice.it;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The enrich interceptor in a real Flume 1.11 agent (hbase-client 2.4.11, Sluice's relocated
 * Caffeine and Jackson) reading profiles from HBase 2.6: events get their profile attributes, and
 * the cache keeps HBase calls to one per batch for the keys it has not seen.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnrichInterceptorInFlumeIT {

    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            attributes:
              holder: string
              segment: string
              credit_limit: double
            enrich: [segment, credit_limit]
            """, "cards");

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startStack() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "enrich-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE, Service.KAFKA).stopOnExit(true).build();
        endpoints = stack.start();
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        try (Connection hbase = ConnectionFactory.createConnection(conf); Admin admin = hbase.getAdmin()) {
            TableName table = TableName.valueOf("profiles");
            ProfileTables.initProfiles(admin, table, SCHEMA, Buckets.defaults(), 4, Compression.Algorithm.NONE);
            ProfileCodec codec = new ProfileCodec(SCHEMA, Buckets.defaults());
            try (Table t = hbase.getTable(table)) {
                t.put(codec.toPut(new Profile("card-1", Map.of("holder", "Ann", "segment", "gold", "credit_limit", 5000.0))));
                t.put(codec.toPut(new Profile("card-2", Map.of("holder", "Bob", "segment", "retail", "credit_limit", 800.0))));
            }
        }
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.raw", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void enrichesEventsFromHBaseWithOneLookupPerBatchForUnseenKeys() throws Exception {
        int httpPort = LoopbackPorts.free();
        String config = agentConfig(httpPort, "events.raw", 2000);
        List<String> requests = List.of(
                "{\"card_id\":\"card-1\",\"n\":1}\n{\"card_id\":\"card-2\",\"n\":2}\n{\"card_id\":\"card-1\",\"n\":3}\n{\"card_id\":\"card-9\",\"n\":4}",
                "{\"card_id\":\"card-1\",\"n\":5}\n{\"card_id\":\"card-9\",\"n\":6}\n{\"card_id\":\"card-2\",\"n\":7}",
                "{\"card_id\":\"card-3\",\"n\":8}");
        try (FlumeAgent agent = FlumeAgent.start(workDir.resolve("agent"), "agent", config, List.of(FlumeAgent.pluginJar()))) {
            for (String body : requests) {
                Pipes.post(httpPort, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), agent);
            }
            List<ConsumerRecord<String, byte[]>> records = Pipes.consume(endpoints.kafkaBootstrapServers(), "events.raw", 8, agent,
                    new StringDeserializer(), new ByteArrayDeserializer());
            EventCodec codec = new EventCodec();
            Map<Integer, Event> byN = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                Event event = codec.decode(record.value());
                byN.put(event.body().path("n").asInt(), event);
            }
            assertThat(byN).hasSize(8);
            assertThat(byN.get(1).profile().path("segment").asText()).isEqualTo("gold");
            assertThat(byN.get(1).profile().path("credit_limit").asDouble()).isEqualTo(5000.0);
            assertThat(byN.get(1).profile().has("holder")).as("only enrich attributes").isFalse();
            assertThat(byN.get(7).profile().path("segment").asText()).isEqualTo("retail");
            assertThat(byN.get(4).profile()).as("no profile for card-9").isNull();
            assertThat(byN.get(8).profile()).isNull();

            // One HBase call per request batch with unseen keys: {1,2,9} then none then {3}.
            assertThat(agent.counter("INTERCEPTOR.enrich-1", "HBaseCallCount")).isEqualTo(2);
            assertThat(agent.counter("INTERCEPTOR.enrich-1", "HBaseKeyCount")).isEqualTo(4);
            assertThat(agent.counter("INTERCEPTOR.enrich-1", "CacheHitCount")).isEqualTo(3);
            assertThat(agent.counter("INTERCEPTOR.enrich-1", "ProfileMissingCount")).isEqualTo(3);

            // The alert interceptor (shared rules module, relocated JEXL) on what enrich added:
            // big_gold fires on n=3 and n=5 (card-1 is gold), late on n=7 and n=8.
            assertThat(agent.counter("INTERCEPTOR.alert-1", "AlertCount")).isEqualTo(4);
            assertThat(agent.counter("INTERCEPTOR.alert-1", "EventAlertedCount")).isEqualTo(4);
            assertThat(agent.counter("INTERCEPTOR.alert-1", "RuleFailureCount")).isZero();
        }
    }

    private static String rulesFile() {
        Path file = workDir.resolve("alert-rules.yaml");
        try {
            Files.writeString(file, """
                    rules:
                      - {name: big_gold, severity: high, expression: "event.body.n >= 3 && profile.segment == 'gold'"}
                      - {name: late, expression: event.body.n >= 7}
                    """);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file.toString();
    }

    private static String agentConfig(int httpPort, String topic, int hbaseTimeoutMs) {
        return String.join("\n",
                "agent.sources = http",
                "agent.channels = raw",
                "agent.sources.http.type = http",
                "agent.sources.http.bind = 127.0.0.1",
                "agent.sources.http.port = " + httpPort,
                "agent.sources.http.handler = dev.sluice.ingest.http.JsonEventsHandler",
                "agent.sources.http.channels = raw",
                "agent.sources.http.interceptors = identify enrich alert",
                "agent.sources.http.interceptors.alert.type = dev.sluice.interceptors.AlertInterceptor$Builder",
                "agent.sources.http.interceptors.alert.rules = " + rulesFile(),
                "agent.sources.http.interceptors.identify.type = dev.sluice.interceptors.IdentifyInterceptor$Builder",
                "agent.sources.http.interceptors.identify.keyField = card_id",
                "agent.sources.http.interceptors.enrich.type = dev.sluice.interceptors.EnrichInterceptor$Builder",
                "agent.sources.http.interceptors.enrich.zookeeperQuorum = " + endpoints.hbaseClientSettings().get("hbase.zookeeper.quorum"),
                "agent.sources.http.interceptors.enrich.table = profiles",
                "agent.sources.http.interceptors.enrich.hbaseTimeoutMs = " + hbaseTimeoutMs,
                "agent.channels.raw.type = org.apache.flume.channel.kafka.KafkaChannel",
                "agent.channels.raw.kafka.bootstrap.servers = " + endpoints.kafkaBootstrapServers(),
                "agent.channels.raw.kafka.topic = " + topic,
                "agent.channels.raw.parseAsFlumeEvent = false",
                "agent.channels.raw.kafka.producer.partitioner.class = dev.sluice.common.kafka.BucketPartitioner",
                "");
    }

    /** Runs last: it kills HBase. */
    @Test
    @Order(2)
    void passesEventsUnenrichedWhenHBaseDiesMidStreamAndLosesNone() throws Exception {
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.outage", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        int httpPort = LoopbackPorts.free();
        try (FlumeAgent agent = FlumeAgent.start(workDir.resolve("agent-outage"), "agent", agentConfig(httpPort, "events.outage", 1500),
                List.of(FlumeAgent.pluginJar()))) {
            Pipes.post(httpPort, "{\"card_id\":\"card-1\",\"n\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), agent);

            ProcessHandle hbase = LocalStack.processesOf(workDir.resolve("stack")).stream()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains("-Dsluice.stack.service=hbase")).orElse(false))
                    .findFirst().orElseThrow();
            hbase.destroyForcibly();
            hbase.onExit().get(30, TimeUnit.SECONDS);

            // card-1 is cached; card-2 needs HBase, which is gone: both must still arrive, in bounded time.
            long began = System.nanoTime();
            Pipes.post(httpPort, "{\"card_id\":\"card-1\",\"n\":2}\n{\"card_id\":\"card-2\",\"n\":3}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8), agent);
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the batch was not stalled").isLessThan(Duration.ofSeconds(30));

            List<ConsumerRecord<String, byte[]>> records = Pipes.consume(endpoints.kafkaBootstrapServers(), "events.outage", 3, agent,
                    new StringDeserializer(), new ByteArrayDeserializer());
            EventCodec codec = new EventCodec();
            Map<Integer, Event> byN = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                Event event = codec.decode(record.value());
                byN.put(event.body().path("n").asInt(), event);
            }
            assertThat(byN).as("nothing lost").containsOnlyKeys(1, 2, 3);
            assertThat(byN.get(2).profile().path("segment").asText()).as("enriched from the cache").isEqualTo("gold");
            assertThat(byN.get(3).profile()).as("passed un-enriched").isNull();
            assertThat(agent.counter("INTERCEPTOR.enrich-1", "HBaseUnavailableCount")).isEqualTo(1);
        }
    }
}
