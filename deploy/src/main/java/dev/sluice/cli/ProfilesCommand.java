package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.load.LoadFormat;
import dev.sluice.profiles.load.LoadReport;
import dev.sluice.profiles.load.HFileRowSink;
import dev.sluice.profiles.load.MutatorRowSink;
import dev.sluice.profiles.load.ProfileLoader;
import dev.sluice.profiles.load.ProfileRowSink;
import dev.sluice.profiles.load.RejectedRow;
import dev.sluice.profiles.schema.ProfileSchema;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.RegionMetrics;
import org.apache.hadoop.hbase.ServerName;
import org.apache.hadoop.hbase.Size;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.BufferedMutator;
import org.apache.hadoop.hbase.client.BufferedMutatorParams;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code sluice profiles init|load|get|stats}: the HBase profile store. */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "Create, load and inspect the HBase profile store (bucket-aligned 'profiles' table and its update stream).",
        subcommands = {ProfilesCommand.Init.class, ProfilesCommand.Load.class, ProfilesCommand.Get.class, ProfilesCommand.Stats.class})
final class ProfilesCommand {

    static final class TableOptions {
        @Option(names = "--table", defaultValue = ProfileTables.DEFAULT_PROFILES_TABLE, description = "Profiles table (default: ${DEFAULT-VALUE}).")
        String table;

        @Option(names = "--updates-topic", defaultValue = ProfileUpdates.DEFAULT_TOPIC, description = "Compacted update topic (default: ${DEFAULT-VALUE}).")
        String updatesTopic;
    }

    static Connection connect(Endpoints endpoints) throws IOException {
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseSettings().forEach(conf::set);
        // Fail within a minute instead of HBase's default quarter hour of retries.
        conf.setInt("hbase.client.retries.number", 5);
        conf.setInt("hbase.client.operation.timeout", 60_000);
        return ConnectionFactory.createConnection(conf);
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the profiles table (pre-split on bucket boundaries, ROW bloom filter, compression where available),",
                    "the events table and the compacted update topic. Idempotent: a second run changes nothing, or stores a changed schema."})
    static final class Init implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Mixin
        TableOptions tables;
        @Spec
        CommandSpec spec;

        @Option(names = "--schema", required = true, paramLabel = "FILE", description = "Profile schema (YAML).")
        Path schemaFile;

        @Option(names = "--regions", defaultValue = "16", description = "Regions per table (default: ${DEFAULT-VALUE}).")
        int regions;

        @Option(names = "--compression", defaultValue = "snappy", description = "snappy, gz or none; falls back to none if the region servers lack it (default: ${DEFAULT-VALUE}).")
        String compression;

        @Option(names = "--buckets", defaultValue = "" + Buckets.DEFAULT_BUCKET_COUNT, description = "Bucket count B, fixed for the deployment (default: ${DEFAULT-VALUE}).")
        int bucketCount;

        @Option(names = "--events-table", defaultValue = ProfileTables.DEFAULT_EVENTS_TABLE, description = "Events table the HBase sink writes (default: ${DEFAULT-VALUE}).")
        String eventsTable;

        @Option(names = "--update-partitions", defaultValue = "12", description = "Partitions of the update topic; use the event topic's count (default: ${DEFAULT-VALUE}).")
        int updatePartitions;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            ProfileSchema schema = ProfileSchema.load(schemaFile);
            Buckets buckets = Buckets.of(bucketCount);
            Compression.Algorithm algorithm = Compression.Algorithm.valueOf(compression.toUpperCase(Locale.ROOT));
            try (Connection connection = connect(endpoints); Admin admin = connection.getAdmin()) {
                out.println("table " + tables.table + ": " + describe(ProfileTables.initProfiles(admin, TableName.valueOf(tables.table),
                        schema, buckets, regions, algorithm)) + " (" + schema.attributes().size() + " attributes, " + regions + " regions)");
                out.println("table " + eventsTable + ": " + describe(ProfileTables.initEvents(admin, TableName.valueOf(eventsTable),
                        buckets, regions, algorithm)));
            }
            try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                    endpoints.kafkaClient(Map.of()))) {
                ProfileUpdates.ensureTopic(kafka, tables.updatesTopic, updatePartitions);
                out.println("topic " + tables.updatesTopic + ": ready (compacted, " + updatePartitions + " partitions if created now)");
            }
            return 0;
        }

        private static String describe(ProfileTables.Outcome outcome) {
            return switch (outcome) {
                case CREATED -> "created";
                case SCHEMA_UPDATED -> "exists, schema updated";
                case UNCHANGED -> "exists, unchanged";
            };
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Load profiles from CSV (header: key field and attributes) or JSON Lines, and publish them to the update topic.",
                    "A bad line is reported (line number and reason) and skipped; --strict writes nothing if any line is bad.",
                    "Re-running a load is safe: rows are overwritten with the same values.",
                    "Exit code 0 all loaded, 4 loaded with rejected lines, 1 failed (with --strict: nothing written)."})
    static final class Load implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Mixin
        TableOptions tables;
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The file to load (.csv, .jsonl, .ndjson).")
        Path file;

        @Option(names = "--format", description = "csv or jsonl (default: from the file name).")
        LoadFormat format;

        @Option(names = "--strict", description = "Check every line first; load nothing if any line is bad.")
        boolean strict;

        @Option(names = "--rejects", paramLabel = "FILE", description = "Where to write rejected lines (default: FILE.rejected.tsv).")
        Path rejectsFile;

        @Option(names = "--no-publish", description = "Write HBase only; running consumers will not see these profiles until they reload.")
        boolean noPublish;

        @Option(names = "--no-progress", description = "No progress bar (for logs and scripts).")
        boolean noProgress;

        @Option(names = "--bulk", description = "Write sorted HFiles and hand them to the region servers (HBase bulk load) instead of puts: "
                + "several times faster for large files, bypassing the WAL and memstore; rows become readable all at once at the end, "
                + "and updates are published after that.")
        boolean bulk;

        @Option(names = "--staging", paramLabel = "DIR|URI", description = "Where --bulk writes its HFiles: a directory the region servers can read "
                + "(default: the local temporary directory, right for the local stack; on a cluster an hdfs:// URI).")
        String staging;


        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file);
            }
            LoadFormat loadFormat = format != null ? format : LoadFormat.of(file);
            Path rejectsPath = rejectsFile != null ? rejectsFile : file.resolveSibling(file.getFileName() + ".rejected.tsv");
            long[] rejectedShown = {0};
            try (Connection connection = connect(endpoints);
                 BufferedWriter rejects = Files.newBufferedWriter(rejectsPath, StandardCharsets.UTF_8);
                 ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("Loading").setInitialMax(Files.size(file))
                         .setUnit(" MB", 1 << 20).setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(250)
                         .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
                ProfileStore store = ProfileStore.open(connection, TableName.valueOf(tables.table), null);
                // Route updates with the bucket count the table was written with.
                ProfileUpdates publisher = noPublish ? null
                        : ProfileUpdates.create(endpoints.kafkaBootstrap(), tables.updatesTopic, store.buckets(),
                                endpoints.kafkaClientConfig());
                rejects.write("line\treason\tcontent\n");
                try (ProfileRowSink rows = rowSink(connection, store)) {
                    ProfileLoader loader = new ProfileLoader(store.codec(), rows, publisher, (read, total, loaded, rejected) -> {
                        if (bar != null) {
                            bar.stepTo(read);
                            bar.setExtraMessage(String.format(Locale.ROOT, " %,d loaded, %,d rejected", loaded, rejected));
                        }
                    });
                    LoadReport report = loader.load(file, loadFormat, strict, row -> {
                        writeReject(rejects, row);
                        if (rejectedShown[0]++ < 10) {
                            spec.commandLine().getErr().println("line " + row.line() + ": " + row.reason());
                        }
                    });
                    if (bar != null) {
                        bar.close();
                    }
                    return summarize(out, report, rejectsPath);
                } finally {
                    if (publisher != null) {
                        publisher.close();
                    }
                }
            }
        }

        private ProfileRowSink rowSink(Connection connection, ProfileStore store) throws IOException {
            if (!bulk) {
                if (staging != null) {
                    throw new IllegalArgumentException("--staging is for --bulk loads only");
                }
                return new MutatorRowSink(store.codec(), connection.getBufferedMutator(
                        new BufferedMutatorParams(store.tableName()).writeBufferSize(8L << 20)), true);
            }
            URI stagingParent = staging == null ? HFileRowSink.defaultStaging()
                    : staging.contains("://") ? URI.create(staging) : Path.of(staging).toAbsolutePath().toUri();
            return HFileRowSink.open(connection, store.tableName(), store.codec(), stagingParent, HFileRowSink.defaultBufferBytes());
        }

        private int summarize(PrintWriter out, LoadReport report, Path rejectsPath) {
            if (!report.written()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "sluice: --strict: %,d bad line(s), nothing loaded; see %s%n",
                        report.rejected(), rejectsPath);
                return SluiceCli.EXIT_FAILED;
            }
            out.printf(Locale.ROOT, "Loaded %,d profiles, rejected %,d lines, in %.1f s (%,.0f rows/s).%s%n",
                    report.loaded(), report.rejected(), report.took().toMillis() / 1000.0, report.rowsPerSecond(),
                    report.rejected() > 0 ? " Rejected lines: " + rejectsPath : "");
            return report.rejected() > 0 ? SluiceCli.EXIT_ROWS_REJECTED : 0;
        }

        private static void writeReject(BufferedWriter rejects, RejectedRow row) {
            try {
                rejects.write(row.line() + "\t" + row.reason().replace('\t', ' ') + "\t" + row.content().replace('\t', ' ') + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the profiles of the given keys as JSON lines. Exit code 1 if one has none.")
    static final class Get implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Mixin
        TableOptions tables;
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "KEY", arity = "1..*", description = "Entity keys.")
        List<String> keys;

        @Override
        public Integer call() throws IOException {
            try (Connection connection = connect(endpoints)) {
                ProfileStore store = ProfileStore.open(connection, TableName.valueOf(tables.table), null);
                Map<String, Profile> found = store.getAll(keys);
                ObjectMapper json = new ObjectMapper();
                int missing = 0;
                for (String key : keys) {
                    Profile profile = found.get(key);
                    if (profile == null) {
                        spec.commandLine().getErr().println("sluice: no profile for key '" + key + "'");
                        missing++;
                        continue;
                    }
                    ObjectNode node = json.createObjectNode();
                    node.put("key", key);
                    node.put("bucket", store.buckets().bucketOf(key));
                    ObjectNode attributes = node.putObject("attributes");
                    profile.attributes().forEach((name, value) ->
                            attributes.set(name, store.schema().attribute(name).orElseThrow().type().toJson(value)));
                    spec.commandLine().getOut().println(json.writeValueAsString(node));
                }
                return missing == 0 ? 0 : SluiceCli.EXIT_FAILED;
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Rows, regions, size, buckets and schema of the profiles table.")
    static final class Stats implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Mixin
        TableOptions tables;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            TableName table = TableName.valueOf(tables.table);
            try (Connection connection = connect(endpoints); Admin admin = connection.getAdmin()) {
                ProfileStore store = ProfileStore.open(connection, table, null);
                long began = System.nanoTime();
                long rows = store.countRows();
                Duration counted = Duration.ofNanos(System.nanoTime() - began);
                double storeMb = 0;
                long regions = 0;
                for (ServerName server : admin.getRegionServers()) {
                    for (RegionMetrics region : admin.getRegionMetrics(server, table)) {
                        storeMb += region.getStoreFileSize().get(Size.Unit.MEGABYTE) + region.getMemStoreSize().get(Size.Unit.MEGABYTE);
                        regions++;
                    }
                }
                out.printf(Locale.ROOT, "table        %s%n", table);
                out.printf(Locale.ROOT, "profiles     %,d (counted in %.1f s)%n", rows, counted.toMillis() / 1000.0);
                out.printf(Locale.ROOT, "regions      %d%n", regions);
                out.printf(Locale.ROOT, "size         %.1f MB (store files + memstore)%n", storeMb);
                out.printf(Locale.ROOT, "buckets      %d%n", store.buckets().bucketCount());
                out.printf(Locale.ROOT, "key field    %s%n", store.schema().keyField());
                out.printf(Locale.ROOT, "attributes   %s%n", String.join(", ", store.schema().attributes().values().stream()
                        .map(a -> a.name() + ":" + a.type().schemaName() + (a.enrich() ? " (enrich)" : "")).toList()));
                return 0;
            }
        }
    }
}
