package dev.sluice.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.EventIds;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.flume.EnrichedEventSerializer;
import dev.sluice.profiles.flume.EventRowKey;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EnrichedEventSerializer} in a real Flume 1.11 agent's {@code hbase2} sink (hbase-client
 * 2.4.11, Jackson 2.10 on Flume's side, Sluice's relocated in the plugin jar) against HBase 2.6.
 */
class HBaseSinkSerializerInFlumeIT {

    private static final byte[] FAMILY = Bytes.toBytes(ProfileTables.EVENTS_FAMILY);

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static Connection hbase;

    @BeforeAll
    static void startHBase() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "hbase-sink-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE).stopOnExit(true).build();
        endpoints = stack.start();
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        hbase = ConnectionFactory.createConnection(conf);
    }

    @AfterAll
    static void stopHBase() throws IOException {
        if (hbase != null) {
            hbase.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void writesEachEventOnceUnderItsDeterministicRowKeyAndKeepsMalformedOnes() throws Exception {
        TableName table = TableName.valueOf("events_flume_it");
        try (Admin admin = hbase.getAdmin()) {
            ProfileTables.initEvents(admin, table, Buckets.defaults(), 4, Compression.Algorithm.NONE);
        }
        EventCodec codec = new EventCodec();
        EventIds ids = new EventIds(Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC), new SplittableRandom(5));
        List<Event> events = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            ObjectNode body = codec.mapper().createObjectNode().put("amount", i * 1.25).put("merchant", "m-" + (i % 9));
            Event event = new Event(ids.next(), "card-" + (i % 40), Instant.parse("2026-11-21T09:00:00Z").plusSeconds(i),
                    Instant.parse("2026-11-21T10:00:00Z"), body);
            events.add(event);
            String json = new String(codec.encode(event), StandardCharsets.UTF_8);
            lines.add(json);
            lines.add(json); // every event delivered twice, as a replay or a redelivery would
        }
        lines.add("this is not json");
        lines.add("{\"id\":\"x\"}");
        Path input = Files.write(workDir.resolve("events.jsonl"), lines, StandardCharsets.UTF_8);
        String zk = endpoints.hbaseClientSettings().get("hbase.zookeeper.quorum");
        String config = String.join("\n",
                "agent.sources = lines",
                "agent.channels = mem",
                "agent.sinks = hbase",
                "agent.sources.lines.type = exec",
                "agent.sources.lines.command = cat " + input,
                "agent.sources.lines.channels = mem",
                "agent.channels.mem.type = memory",
                "agent.channels.mem.capacity = 1000",
                "agent.channels.mem.transactionCapacity = 100",
                "agent.sinks.hbase.type = hbase2",
                "agent.sinks.hbase.channel = mem",
                "agent.sinks.hbase.table = " + table.getNameAsString(),
                "agent.sinks.hbase.columnFamily = " + ProfileTables.EVENTS_FAMILY,
                "agent.sinks.hbase.zookeeperQuorum = " + zk,
                "agent.sinks.hbase.znodeParent = /hbase",
                "agent.sinks.hbase.batchSize = 50",
                // By name: the class needs Flume's API, which only the agent's JVM has.
                "agent.sinks.hbase.serializer = dev.sluice.profiles.flume.EnrichedEventSerializer",
                "agent.sinks.hbase.serializer." + EnrichedEventSerializer.BUCKETS_KEY + " = " + Buckets.DEFAULT_BUCKET_COUNT,
                "");

        try (FlumeAgent agent = FlumeAgent.start(workDir.resolve("agent"), "agent", config, List.of(FlumeAgent.pluginJar()))) {
            long drained = agent.awaitCounter("SINK.hbase", "EventDrainSuccessCount", lines.size(), java.time.Duration.ofSeconds(120));
            assertThat(drained).as("events the hbase2 sink committed; see %s", agent.log()).isEqualTo(lines.size());
        }

        try (Table t = hbase.getTable(table)) {
            List<Result> rows = new ArrayList<>();
            try (ResultScanner scanner = t.getScanner(new Scan())) {
                scanner.forEach(rows::add);
            }
            assertThat(rows).as("one row per distinct event plus one per distinct malformed body").hasSize(events.size() + 2);
            Buckets buckets = Buckets.defaults();
            for (Event event : events) {
                Result row = t.get(new Get(EventRowKey.of(buckets, event.key(), event.eventTime(), event.id())));
                assertThat(row.rawCells()).as("one cell per row: the event").hasSize(1);
                assertThat(codec.decode(row.getValue(FAMILY, Bytes.toBytes("json")))).isEqualTo(event);
                assertThat(EventRowKey.parse(row.getRow()).eventId()).isEqualTo(event.id());
            }
            List<String> errors = new ArrayList<>();
            try (ResultScanner scanner = t.getScanner(new Scan().setStartStopRowForPrefixScan(
                    EventRowKey.prefixOf(buckets, EnrichedEventSerializer.MALFORMED_KEY)))) {
                scanner.forEach(r -> errors.add(Bytes.toString(r.getValue(FAMILY, Bytes.toBytes("error")))));
            }
            assertThat(errors).hasSize(2).anySatisfy(e -> assertThat(e).startsWith("NOT_JSON"))
                    .anySatisfy(e -> assertThat(e).startsWith("MISSING_FIELD"));

            // Newest first within a key: the row-key layout's promise.
            List<Instant> card7 = new ArrayList<>();
            try (ResultScanner scanner = t.getScanner(new Scan().setStartStopRowForPrefixScan(EventRowKey.prefixOf(buckets, "card-7")))) {
                scanner.forEach(r -> card7.add(EventRowKey.parse(r.getRow()).eventTime()));
            }
            assertThat(card7).hasSizeGreaterThan(1).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        }
    }
}
