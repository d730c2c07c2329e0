package dev.sluice.bench;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.load.HFileRowSink;
import dev.sluice.profiles.load.LoadFormat;
import dev.sluice.profiles.load.LoadListener;
import dev.sluice.profiles.load.ProfileLoader;
import dev.sluice.profiles.load.ProfileRowSink;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.ServiceStatus;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.CompactionState;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code scanBuckets} alone, repeated: loads N profiles once (as HFiles, then major-compacted) and
 * scans the share of partition 0 of 2, 4 and 12 several times, reporting rows/s and the CPU the
 * region server and the client spent per row. Where {@link ProfileStoreBenchmark} measures the
 * whole store once, this one is for tuning the scan path.
 */
@Command(name = "profile-scan", mixinStandardHelpOptions = true, description = "Benchmark scanBuckets on a loaded profile table.")
public final class ProfileScanBenchmark implements Callable<Integer> {

    @Option(names = "--profiles", defaultValue = "1000000", description = "Profiles to load (default ${DEFAULT-VALUE}).")
    int profiles;

    @Option(names = "--rounds", defaultValue = "3", description = "Scans per partition count (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--parallelism", defaultValue = "4", split = ",", description = "Parallel region scans, one or more (default ${DEFAULT-VALUE}).")
    int[] parallelisms;

    @Option(names = "--partitions", defaultValue = "2,4,12", split = ",", description = "Partition counts (default ${DEFAULT-VALUE}).")
    int[] partitionCounts;

    @Option(names = "--work-dir", defaultValue = "target/bench-scan", description = "Work directory (stack and data file).")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProfileScanBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(workDir);
        Path csv = ProfileStoreBenchmark.profilesCsv(workDir, profiles);
        ProfileSchema schema = ProfileSchema.parse(ProfileStoreBenchmark.SCHEMA, "benchmark");
        StringBuilder report = new StringBuilder();
        try (LocalStack stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE)
                .stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            long regionServer = stack.status().stream().filter(s -> s.service() == Service.HBASE)
                    .map(ServiceStatus::pid).findFirst().orElseThrow().orElseThrow();
            Configuration conf = HBaseConfiguration.create();
            endpoints.hbaseClientSettings().forEach(conf::set);
            conf.setInt("hbase.client.operation.timeout", 120_000);
            try (Connection hbase = ConnectionFactory.createConnection(conf)) {
                TableName table = TableName.valueOf("profiles");
                try (Admin admin = hbase.getAdmin()) {
                    ProfileTables.initProfiles(admin, table, schema, Buckets.defaults(), 16, Compression.Algorithm.SNAPPY);
                }
                ProfileStore store = ProfileStore.open(hbase, table, null);
                try (ProfileRowSink rows = HFileRowSink.open(hbase, table, store.codec())) {
                    new ProfileLoader(store.codec(), rows, null, LoadListener.NONE).load(csv, LoadFormat.CSV, false, r -> { });
                }
                // As an operator would after a bulk load: one compressed store file per region.
                try (Admin admin = hbase.getAdmin()) {
                    admin.majorCompact(table);
                    Thread.sleep(2000);
                    while (admin.getCompactionState(table) != CompactionState.NONE) {
                        Thread.sleep(500);
                    }
                }
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                for (int parallelism : parallelisms) {
                    for (int partitions : partitionCounts) {
                        int[] buckets = Buckets.defaults().bucketsOfPartition(0, partitions).toArray();
                        for (int round = 1; round <= rounds; round++) {
                            LongAdder rows = new LongAdder();
                            long serverBefore = ProcessCpu.read(regionServer).nanos();
                            long clientBefore = os.getProcessCpuTime();
                            long began = System.nanoTime();
                            store.scanBuckets(buckets, parallelism, p -> rows.increment(), (d, t, r) -> { });
                            double seconds = (System.nanoTime() - began) / 1e9;
                            double serverMicros = (ProcessCpu.read(regionServer).nanos() - serverBefore) / 1e3 / rows.sum();
                            double clientMicros = (os.getProcessCpuTime() - clientBefore) / 1e3 / rows.sum();
                            report.append(String.format(Locale.ROOT, "| partition 0 of %d | %d | %d | %,.0f | %,d rows in %.2f s | %.1f | %.1f |%n",
                                    partitions, parallelism, round, rows.sum() / seconds, rows.sum(), seconds, serverMicros, clientMicros));
                            System.out.print(report.substring(report.lastIndexOf("| partition")));
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nscanBuckets, %,d profiles of 8 attributes, %d cores, Java %d.%n%n",
                profiles, Runtime.getRuntime().availableProcessors(), Runtime.version().feature());
        System.out.println("| share | parallel scans | round | rows/s | detail | region server CPU µs/row | client CPU µs/row |");
        System.out.println("|---|---:|---:|---:|---|---:|---:|");
        System.out.print(report);
        return 0;
    }
}
