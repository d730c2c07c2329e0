package dev.sluice.bench;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.load.LoadFormat;
import dev.sluice.profiles.load.LoadListener;
import dev.sluice.profiles.load.LoadReport;
import dev.sluice.profiles.load.HFileRowSink;
import dev.sluice.profiles.load.MutatorRowSink;
import dev.sluice.profiles.load.ProfileRowSink;
import dev.sluice.profiles.load.ProfileLoader;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.HdrHistogram.Histogram;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.BufferedMutatorParams;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

/**
 * The profile store at scale: bulk load of N profiles of 8 attributes (with and without publishing
 * to the update topic), multi-get throughput at 100 and 1000 keys per call, and {@code scanBuckets}
 * throughput for the share of 1 of 2, 4 and 12 partitions. Prints a Markdown table.
 */
@Command(name = "profile-store", mixinStandardHelpOptions = true, description = "Benchmark the HBase profile store.")
public final class ProfileStoreBenchmark implements Callable<Integer> {

    /** The card-holder schema every benchmark uses (the demo's {@code conf/profiles/cards.yaml}). */
    public static final String SCHEMA = """
            keyField: card_id
            attributes:
              holder_name: string
              segment: string
              home_country: string
              credit_limit: double
              avg_amount_30d: double
              txn_count_30d: long
              card_since: timestamp
              vip: boolean
            enrich: [segment, home_country, credit_limit, avg_amount_30d, vip]
            """;

    @Option(names = "--profiles", defaultValue = "1000000", description = "Profiles to load (default ${DEFAULT-VALUE}).")
    int profiles;

    @Option(names = "--multiget-calls", defaultValue = "300", description = "Calls per multi-get size (default ${DEFAULT-VALUE}).")
    int multigetCalls;

    @Option(names = "--work-dir", defaultValue = "target/bench-profiles", description = "Work directory (stack and data file).")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProfileStoreBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(workDir);
        Path csv = profilesCsv(workDir, profiles);
        ProfileSchema schema = ProfileSchema.parse(SCHEMA, "benchmark");
        StringBuilder report = new StringBuilder();
        try (LocalStack stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE, Service.KAFKA)
                .stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            Configuration conf = HBaseConfiguration.create();
            endpoints.hbaseClientSettings().forEach(conf::set);
            conf.setInt("hbase.client.operation.timeout", 120_000); // fail, do not hang, if HBase goes down
            try (Connection hbase = ConnectionFactory.createConnection(conf);
                 org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                         Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
                TableName published = TableName.valueOf("profiles_published");
                TableName plain = TableName.valueOf("profiles");
                TableName bulk = TableName.valueOf("profiles_bulk");
                TableName bulkPublished = TableName.valueOf("profiles_bulk_published");
                try (Admin admin = hbase.getAdmin()) {
                    for (TableName table : List.of(published, plain, bulk, bulkPublished)) {
                        ProfileTables.initProfiles(admin, table, schema, Buckets.defaults(), 16, Compression.Algorithm.SNAPPY);
                    }
                }
                ProfileUpdates.ensureTopic(kafka, ProfileUpdates.DEFAULT_TOPIC, 12);

                // HFiles first: the put loads leave flushes and compactions running behind them.
                for (boolean hfiles : new boolean[] {true, false}) {
                    String how = hfiles ? "load as HFiles (--bulk)" : "load with puts";
                    LoadReport hbaseOnly = load(hbase, hfiles ? bulk : plain, csv, null, hfiles);
                    report.append(row(how + ", HBase only", hbaseOnly.rowsPerSecond(), "rows/s",
                            String.format(Locale.ROOT, "%,d rows in %.1f s", hbaseOnly.loaded(), hbaseOnly.took().toMillis() / 1000.0)));
                    LoadReport withUpdates;
                    try (ProfileUpdates updates = ProfileUpdates.create(endpoints.kafkaBootstrapServers(), ProfileUpdates.DEFAULT_TOPIC,
                            Buckets.defaults(), Map.of())) {
                        withUpdates = load(hbase, hfiles ? bulkPublished : published, csv, updates, hfiles);
                    }
                    report.append(row(how + " + publish to profiles.updates", withUpdates.rowsPerSecond(), "rows/s",
                            String.format(Locale.ROOT, "%,d rows in %.1f s", withUpdates.loaded(), withUpdates.took().toMillis() / 1000.0)));
                }

                // What an operator does after a bulk load: flush and major-compact, so reads see one
                // store file per region instead of competing with background flushes and compactions.
                long compactBegan = System.nanoTime();
                try (Admin admin = hbase.getAdmin()) {
                    admin.flush(plain);
                    admin.majorCompact(plain);
                    Thread.sleep(2000);
                    while (admin.getCompactionState(plain) != org.apache.hadoop.hbase.client.CompactionState.NONE) {
                        Thread.sleep(500);
                    }
                }
                report.append(row("flush + major compaction after the load", profiles / ((System.nanoTime() - compactBegan) / 1e9),
                        "rows/s", String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - compactBegan) / 1e9)));
                // Reads are measured with nothing else running: the other tables' flushes and compactions first.
                try (Admin admin = hbase.getAdmin()) {
                    for (TableName table : List.of(published, bulk, bulkPublished)) {
                        admin.flush(table);
                    }
                    Thread.sleep(2000);
                    for (TableName table : List.of(published, bulk, bulkPublished)) {
                        while (admin.getCompactionState(table) != org.apache.hadoop.hbase.client.CompactionState.NONE) {
                            Thread.sleep(500);
                        }
                    }
                }

                ProfileStore store = ProfileStore.open(hbase, plain, null);
                for (int batch : new int[] {100, 1000}) {
                    multiGet(store, batch, Math.max(10, multigetCalls / 20)); // warm-up
                    Histogram latency = new Histogram(3);
                    double keysPerSecond = multiGet(store, batch, batch == 1000 ? multigetCalls / 5 : multigetCalls, latency);
                    report.append(row("multi-get, " + batch + " keys per call", keysPerSecond, "keys/s",
                            String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms per call", latency.getValueAtPercentile(50) / 1e6,
                                    latency.getValueAtPercentile(99) / 1e6)));
                }
                // The compacted put-loaded table (SNAPPY, one file per region), then the bulk-loaded one as it
                // landed (the loader's files: uncompressed, one per region per spill).
                for (TableName table : List.of(plain, bulk)) {
                    ProfileStore scanned = ProfileStore.open(hbase, table, null);
                    for (int partitions : new int[] {2, 4, 12}) {
                        int[] buckets = Buckets.defaults().bucketsOfPartition(0, partitions).toArray();
                        LongAdder rows = new LongAdder();
                        long began = System.nanoTime();
                        scanned.scanBuckets(buckets, 4, p -> rows.increment(), (d, t, r) -> { });
                        double seconds = (System.nanoTime() - began) / 1e9;
                        report.append(row("scanBuckets " + table.getNameAsString() + ", partition 0 of " + partitions
                                        + " (" + buckets.length + " buckets)",
                                rows.sum() / seconds, "rows/s", String.format(Locale.ROOT, "%,d rows in %.2f s", rows.sum(), seconds)));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nProfile store, %,d profiles of 8 attributes, %d cores, Java %d.%n%n",
                profiles, Runtime.getRuntime().availableProcessors(), Runtime.version().feature());
        System.out.println("| operation | throughput | detail |");
        System.out.println("|---|---|---|");
        System.out.print(report);
        return 0;
    }

    /** Loads as {@code sluice profiles load} does, with or without {@code --bulk} (staging in the temporary directory). */
    static LoadReport load(Connection hbase, TableName table, Path csv, ProfileUpdates updates, boolean hfiles) throws Exception {
        ProfileStore store = ProfileStore.open(hbase, table, null);
        try (ProfileRowSink rows = hfiles
                ? HFileRowSink.open(hbase, table, store.codec())
                : new MutatorRowSink(store.codec(), hbase.getBufferedMutator(new BufferedMutatorParams(table).writeBufferSize(8L << 20)), true)) {
            return new ProfileLoader(store.codec(), rows, updates, LoadListener.NONE).load(csv, LoadFormat.CSV, false, r -> { });
        }
    }

    private double multiGet(ProfileStore store, int batch, int calls, Histogram... latency) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        long keys = 0;
        long began = System.nanoTime();
        for (int c = 0; c < calls; c++) {
            List<String> batchKeys = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                batchKeys.add("card-" + random.nextInt(profiles));
            }
            long start = System.nanoTime();
            keys += store.getAll(batchKeys).size();
            if (latency.length > 0) {
                latency[0].recordValue(System.nanoTime() - start);
            }
        }
        return keys / ((System.nanoTime() - began) / 1e9);
    }

    private static String row(String operation, double rate, String unit, String detail) {
        String row = String.format(Locale.ROOT, "| %s | %,.0f %s | %s |%n", operation, rate, unit, detail);
        System.err.print(row); // as it goes: a long run shows where it is
        return row;
    }

    /** Deterministic card holder profiles (seeded), so every run loads the same data. */
    /** The sample card CSV of {@code count} profiles in {@code dir} (shared with {@code sluice demo}). */
    static Path profilesCsv(Path dir, int count) throws Exception {
        return dev.sluice.cli.SampleCards.csv(dir, count);
    }
}
