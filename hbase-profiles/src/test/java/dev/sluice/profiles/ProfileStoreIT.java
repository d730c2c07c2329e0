package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.load.LoadFormat;
import dev.sluice.profiles.load.LoadListener;
import dev.sluice.profiles.load.LoadReport;
import dev.sluice.profiles.load.HFileRowSink;
import dev.sluice.profiles.load.MutatorRowSink;
import dev.sluice.profiles.load.ProfileRowSink;
import dev.sluice.profiles.load.ProfileLoader;
import dev.sluice.profiles.load.RejectedRow;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.BufferedMutator;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.hadoop.hbase.io.encoding.DataBlockEncoding;
import org.apache.hadoop.hbase.regionserver.BloomType;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The profile store, tables, update stream and loader on a real HBase and Kafka. */
class ProfileStoreIT {

    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            attributes:
              holder: string
              credit_limit: double
              txn_count: long
              vip: boolean
              since: timestamp
            enrich: [credit_limit, vip]
            """, "cards");
    private static final int UPDATE_PARTITIONS = 12;

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static Connection hbase;
    private static org.apache.kafka.clients.admin.Admin kafkaAdmin;
    private static final AtomicInteger TABLES = new AtomicInteger();

    @BeforeAll
    static void startStack() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "profiles-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE, Service.KAFKA, Service.HDFS).stopOnExit(true).build();
        endpoints = stack.start();
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        hbase = ConnectionFactory.createConnection(conf);
        kafkaAdmin = org.apache.kafka.clients.admin.Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()));
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (kafkaAdmin != null) {
            kafkaAdmin.close();
        }
        if (hbase != null) {
            hbase.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** A fresh table and update topic per test. */
    private record Fixture(TableName table, String topic, ProfileUpdates updates, ProfileStore store) implements AutoCloseable {
        @Override
        public void close() {
            updates.close();
        }
    }

    private static Fixture fixture(int regions) throws IOException {
        int n = TABLES.incrementAndGet();
        TableName table = TableName.valueOf("profiles_it_" + n);
        String topic = "profiles.updates.it" + n;
        try (Admin admin = hbase.getAdmin()) {
            ProfileTables.initProfiles(admin, table, SCHEMA, Buckets.defaults(), regions, Compression.Algorithm.NONE);
        }
        ProfileUpdates.ensureTopic(kafkaAdmin, topic, UPDATE_PARTITIONS);
        ProfileUpdates updates = ProfileUpdates.create(endpoints.kafkaBootstrapServers(), topic, Buckets.defaults(), Map.of());
        return new Fixture(table, topic, updates, ProfileStore.open(hbase, table, updates));
    }

    private static Profile card(int i) {
        return new Profile("card-" + i, Map.of("holder", "Holder " + i, "credit_limit", 1000.0 + i, "txn_count", (long) i,
                "vip", i % 7 == 0, "since", Instant.parse("2020-01-01T00:00:00Z").plusSeconds(i)));
    }

    @Test
    void initCreatesAPresplitTableWithBloomFilterAndIsIdempotent() throws IOException {
        TableName table = TableName.valueOf("profiles_init_it");
        try (Admin admin = hbase.getAdmin()) {
            assertThat(ProfileTables.initProfiles(admin, table, SCHEMA, Buckets.defaults(), 16, Compression.Algorithm.SNAPPY))
                    .isEqualTo(ProfileTables.Outcome.CREATED);
            TableDescriptor descriptor = admin.getDescriptor(table);
            assertThat(admin.getRegions(table)).hasSize(16);
            assertThat(descriptor.getColumnFamily(SCHEMA.familyBytes()).getBloomFilterType()).isEqualTo(BloomType.ROW);
            assertThat(descriptor.getColumnFamily(SCHEMA.familyBytes()).getDataBlockEncoding()).isEqualTo(DataBlockEncoding.ROW_INDEX_V1);
            assertThat(ProfileTables.schemaOf(admin, table)).isEqualTo(SCHEMA);

            assertThat(ProfileTables.initProfiles(admin, table, SCHEMA, Buckets.defaults(), 16, Compression.Algorithm.SNAPPY))
                    .isEqualTo(ProfileTables.Outcome.UNCHANGED);
            ProfileSchema wider = ProfileSchema.parse(SCHEMA.toYaml().replace("attributes:", "attributes:\n  segment: \"string\""), "wider");
            assertThat(ProfileTables.initProfiles(admin, table, wider, Buckets.defaults(), 16, Compression.Algorithm.SNAPPY))
                    .isEqualTo(ProfileTables.Outcome.SCHEMA_UPDATED);
            assertThat(ProfileTables.schemaOf(admin, table).attributes()).containsKey("segment");
            assertThatThrownBy(() -> ProfileTables.initProfiles(admin, table, SCHEMA, Buckets.of(1000), 16, Compression.Algorithm.NONE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("written with sluice.buckets=27720");

            TableName events = TableName.valueOf("events_init_it");
            assertThat(ProfileTables.initEvents(admin, events, Buckets.defaults(), 8, Compression.Algorithm.NONE)).isEqualTo(ProfileTables.Outcome.CREATED);
            assertThat(ProfileTables.initEvents(admin, events, Buckets.defaults(), 8, Compression.Algorithm.NONE)).isEqualTo(ProfileTables.Outcome.UNCHANGED);
            assertThat(admin.getRegions(events)).hasSize(8);
        }
    }

    @Test
    void putsGetsAndMultiGetsProfiles() throws IOException {
        try (Fixture f = fixture(4)) {
            for (int i = 0; i < 20; i++) {
                f.store().put(card(i));
            }
            assertThat(f.store().get("card-3")).contains(card(3));
            assertThat(f.store().get("card-999")).isEmpty();

            Map<String, Profile> some = f.store().getAll(List.of("card-1", "card-404", "card-17", "card-2"));
            assertThat(some).containsOnlyKeys("card-1", "card-17", "card-2");
            assertThat(some.get("card-17")).isEqualTo(card(17));
        }
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {3, 4, 12})
    void scanBucketsOfAPartitionReturnsExactlyTheProfilesThePartitionerSendsThere(int partitions) throws IOException {
        try (Fixture f = fixture(16)) {
            int count = 3_000;
            try (BufferedMutator mutator = hbase.getBufferedMutator(f.table())) {
                for (int i = 0; i < count; i++) {
                    mutator.mutate(f.store().codec().toPut(card(i)));
                }
            }
            Buckets buckets = f.store().buckets();
            Set<String> seenOverall = new HashSet<>();
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                Set<String> scanned = ConcurrentHashMap.newKeySet();
                AtomicInteger lastRegionsDone = new AtomicInteger();
                long rows = f.store().scanBuckets(buckets.bucketsOfPartition(p, partitions).toArray(), 4,
                        profile -> scanned.add(profile.key()), (done, total, r) -> lastRegionsDone.accumulateAndGet(done, Math::max));

                Set<String> expected = IntStream.range(0, count).mapToObj(i -> "card-" + i)
                        .filter(k -> buckets.partitionOfKey(k.getBytes(StandardCharsets.UTF_8), partitions) == partition)
                        .collect(Collectors.toSet());
                assertThat(scanned).as("partition %d of %d", p, partitions).isEqualTo(expected);
                assertThat(rows).isEqualTo(expected.size());
                assertThat(lastRegionsDone.get()).isEqualTo(16); // every region holds buckets of every partition
                seenOverall.addAll(scanned);
            }
            assertThat(seenOverall).hasSize(count);
        }
    }

    @Test
    void publishesEveryWriteToTheCompactedUpdateTopicOnTheKeysPartitionWithTombstonesForDeletes() throws Exception {
        try (Fixture f = fixture(4)) {
            f.store().put(card(1));
            f.store().put(new Profile("card-1", Map.of("txn_count", 99L))); // a partial update publishes the whole profile
            f.store().put(card(2));
            f.store().delete("card-2");

            Config config = kafkaAdmin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, f.topic())))
                    .all().get(30, TimeUnit.SECONDS).values().iterator().next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");

            List<ConsumerRecord<String, byte[]>> records = consume(f.topic(), 4);
            assertThat(records).extracting(ConsumerRecord::key).containsExactly("card-1", "card-1", "card-2", "card-2");
            Buckets buckets = Buckets.defaults();
            assertThat(records).allSatisfy(r -> assertThat(r.partition())
                    .isEqualTo(buckets.partitionOfKey(r.key().getBytes(StandardCharsets.UTF_8), UPDATE_PARTITIONS)));
            Profile updated = ProfileUpdates.decode("card-1", records.get(1).value(), SCHEMA).orElseThrow();
            assertThat(updated.attributes()).containsEntry("txn_count", 99L).containsEntry("holder", "Holder 1");
            assertThat(records.get(3).value()).as("tombstone").isNull();
            assertThat(ProfileUpdates.decode("card-2", null, SCHEMA)).isEmpty();
            assertThat(f.store().get("card-2")).isEmpty();
        }
    }

    /** How the loader writes: puts through the write path, or HFiles bulk-loaded at the end. */
    enum Mode { PUT, BULK }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void loaderWritesGoodRowsReportsBadOnesWithLineNumbersAndReRunsIdempotently(Mode mode) throws Exception {
        try (Fixture f = fixture(4)) {
            Path csv = Files.writeString(workDir.resolve("cards.csv"), String.join("\n",
                    "card_id,holder,credit_limit,txn_count,vip,since",
                    "card-1,Ann,1000,3,true,2024-01-01T00:00:00Z",
                    "card-2,Bob,lots,3,false,",                        // line 3: wrong type
                    "card-3,\"Cy, Jr\",250.5,,no,",
                    ",Nobody,1,1,true,",                               // line 5: empty key
                    "card-5,\"Dee,2,2,true,",                           // line 6: open quote
                    "card-6,Eve,10,1,true,1700000000000",
                    ""), StandardCharsets.UTF_8);
            List<RejectedRow> rejects = new ArrayList<>();
            LoadReport first = load(f, csv, mode, false, rejects);

            assertThat(first.loaded()).isEqualTo(3);
            assertThat(first.rejected()).isEqualTo(3);
            assertThat(rejects).extracting(RejectedRow::line).containsExactly(3L, 5L, 6L);
            assertThat(rejects).extracting(RejectedRow::reason).containsExactly(
                    "attribute 'credit_limit': 'lots' is not a double", "empty key 'card_id'", "malformed CSV: unterminated quoted field");
            assertThat(f.store().get("card-2")).as("nothing of a rejected row is written").isEmpty();
            assertThat(f.store().get("card-3").orElseThrow().attributes()).containsEntry("holder", "Cy, Jr").containsEntry("vip", false)
                    .doesNotContainKey("txn_count");
            assertThat(consume(f.topic(), 3)).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("card-1", "card-3", "card-6");

            LoadReport again = load(f, csv, mode, false, new ArrayList<>());
            assertThat(again.loaded()).isEqualTo(3);
            assertThat(f.store().countRows()).isEqualTo(3);
            assertThat(f.store().get("card-1").orElseThrow().attributes()).containsEntry("txn_count", 3L);
        }
    }

    @Test
    void bulkLoadLandsEveryRowInEveryRegionWithTheLaterLineWinningAcrossSpillsAndCleansItsStaging() throws Exception {
        try (Fixture f = fixture(16)) {
            int cards = 3_000;
            List<String> lines = new ArrayList<>(List.of("card_id,holder,credit_limit,txn_count,vip,since"));
            for (int i = 0; i < cards; i++) {
                lines.add("card-" + i + ",Holder " + i + "," + (1000 + i) + "," + i + "," + (i % 7 == 0) + ",");
            }
            lines.add("card-7,Renamed,,,,");                       // a later line: overrides holder, keeps the rest
            lines.add("card-8,Holder 8,1,-1,false,");              // the same key later again, all of it
            lines.add("card-8,Holder 8,2,-2,false,");
            Path csv = Files.write(workDir.resolve("bulk-cards-" + f.table().getNameAsString() + ".csv"), lines, StandardCharsets.UTF_8);
            Path staging = Files.createDirectories(workDir.resolve("staging-" + f.table().getNameAsString()));
            f.store().put(new Profile("card-9", Map.of("holder", "Before", "txn_count", 5L)));

            LoadReport report;
            // A 64 KB sort buffer: the file goes out in many spills, so repeats fall in different spills.
            try (HFileRowSink rows = HFileRowSink.open(hbase, f.table(), f.store().codec(), staging.toUri(), 64 << 10)) {
                report = new ProfileLoader(f.store().codec(), rows, f.updates(), LoadListener.NONE)
                        .load(csv, LoadFormat.CSV, false, r -> { });
            }

            assertThat(report.loaded()).isEqualTo(cards + 3);
            assertThat(report.rejected()).isZero();
            assertThat(f.store().countRows()).isEqualTo(cards);
            AtomicInteger scanned = new AtomicInteger();
            f.store().scanBuckets(java.util.stream.IntStream.range(0, Buckets.defaults().bucketCount()).toArray(), 4,
                    p -> scanned.incrementAndGet(), (d, t, r) -> { });
            assertThat(scanned).hasValue(cards);
            assertThat(f.store().get("card-7").orElseThrow().attributes()).containsEntry("holder", "Renamed")
                    .containsEntry("credit_limit", 1007.0).containsEntry("txn_count", 7L).containsEntry("vip", true);
            assertThat(f.store().get("card-8").orElseThrow().attributes()).containsEntry("credit_limit", 2.0).containsEntry("txn_count", -2L);
            assertThat(f.store().get("card-9").orElseThrow().attributes()).as("loaded cells overwrite the row's older ones")
                    .containsEntry("holder", "Holder 9").containsEntry("txn_count", 9L);
            assertThat(f.store().get("card-2999").orElseThrow().attributes()).containsEntry("credit_limit", 3999.0);
            try (java.util.stream.Stream<Path> left = Files.list(staging)) {
                assertThat(left).as("staged HFiles removed").isEmpty();
            }
            // Every loaded line published (after the rows were readable), plus the earlier put of card-9.
            assertThat(consume(f.topic(), cards + 4)).hasSize(cards + 4);
        }
    }

    @Test
    void bulkLoadCanStageItsHFilesOnHdfsAsOnACluster() throws Exception {
        try (Fixture f = fixture(4)) {
            Path csv = Files.writeString(workDir.resolve("hdfs-cards.csv"), String.join("\n",
                    "card_id,holder,credit_limit,txn_count,vip,since",
                    "card-1,Ann,1000,3,true,2024-01-01T00:00:00Z",
                    "card-2,Bob,2000,4,false,", ""), StandardCharsets.UTF_8);
            URI staging = URI.create(endpoints.hdfsUri() + "/tmp/sluice-staging");
            LoadReport report;
            try (HFileRowSink rows = HFileRowSink.open(hbase, f.table(), f.store().codec(), staging, 1 << 20)) {
                report = new ProfileLoader(f.store().codec(), rows, null, LoadListener.NONE).load(csv, LoadFormat.CSV, false, r -> { });
            }
            assertThat(report.loaded()).isEqualTo(2);
            assertThat(f.store().getAll(List.of("card-1", "card-2"))).hasSize(2);
            assertThat(f.store().get("card-2").orElseThrow().attributes()).containsEntry("credit_limit", 2000.0);
            org.apache.hadoop.fs.Path stagingPath = new org.apache.hadoop.fs.Path(staging);
            assertThat(stagingPath.getFileSystem(hbase.getConfiguration()).listStatus(stagingPath)).as("staged HFiles removed").isEmpty();
        }
    }

    @Test
    void strictLoadWritesNothingWhenAnyLineIsBad() throws Exception {
        try (Fixture f = fixture(4)) {
            Path jsonl = Files.writeString(workDir.resolve("cards-strict.jsonl"), String.join("\n",
                    "{\"card_id\":\"card-1\",\"holder\":\"Ann\"}",
                    "{\"card_id\":\"card-2\",\"colour\":\"red\"}",
                    "{\"card_id\":\"card-3\",\"txn_count\":\"many\"}"), StandardCharsets.UTF_8);
            List<RejectedRow> rejects = new ArrayList<>();
            LoadReport report = load(f, jsonl, Mode.PUT, true, rejects);

            assertThat(report.written()).isFalse();
            assertThat(report.loaded()).isZero();
            assertThat(rejects).extracting(RejectedRow::line, RejectedRow::reason).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(2L, "unknown attribute 'colour'"),
                    org.assertj.core.groups.Tuple.tuple(3L, "attribute 'txn_count': expected an integer, got string"));
            assertThat(f.store().countRows()).isZero();
        }
    }

    private static LoadReport load(Fixture f, Path file, Mode mode, boolean strict, List<RejectedRow> rejects) throws IOException {
        try (ProfileRowSink rows = mode == Mode.PUT
                ? new MutatorRowSink(f.store().codec(), hbase.getBufferedMutator(f.table()), true)
                : HFileRowSink.open(hbase, f.table(), f.store().codec(), workDir.toUri(), HFileRowSink.defaultBufferBytes())) {
            return new ProfileLoader(f.store().codec(), rows, f.updates(), LoadListener.NONE)
                    .load(file, LoadFormat.of(file), strict, rejects::add);
        }
    }

    private static List<ConsumerRecord<String, byte[]>> consume(String topic, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        records.sort(java.util.Comparator.comparingLong(ConsumerRecord::timestamp));
        return records;
    }
}
