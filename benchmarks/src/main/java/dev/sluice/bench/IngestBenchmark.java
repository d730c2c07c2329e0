package dev.sluice.bench;

import dev.sluice.cli.SluiceCli;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.HdrHistogram.Histogram;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real tier-1 Flume agent (started by {@code sluice flume run}): HTTP source with the JSON
 * handler → validate → identify [→ enrich] → Kafka channel on {@code events.raw} (12 partitions,
 * BucketPartitioner). Several HTTP clients post JSON Lines batches as fast as the agent accepts
 * them; throughput counts events in Kafka, request latency is per batch (so the difference between
 * the two runs is what enrich adds per batch).
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Benchmark the tier-1 Flume agent.")
public final class IngestBenchmark implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "1000000", description = "Events per run (default ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--batch", defaultValue = "1000", description = "Events per HTTP request (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent HTTP clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--profiles", defaultValue = "100000", description = "Profiles in HBase for the enrich run (default ${DEFAULT-VALUE}).")
    int profiles;

    @Option(names = "--work-dir", defaultValue = "target/bench-ingest", description = "Work directory.")
    Path workDir;

    @Option(names = "--enrich", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run the pipeline with enrich from HBase (default ${DEFAULT-VALUE}).")
    boolean enrichRun;

    @Option(names = "--idempotence", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "The Kafka channel producer's enable.idempotence, as conf/flume/tier1.properties ships it"
                    + " (default ${DEFAULT-VALUE}); --no-idempotence measures what it costs.")
    boolean idempotence;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(workDir);
        workDir = workDir.toAbsolutePath();
        Path csv = ProfileStoreBenchmark.profilesCsv(workDir, profiles);
        StringBuilder report = new StringBuilder();
        Path stackDir = workDir.resolve("stack");
        try (LocalStack stack = LocalStack.builder().workDir(stackDir).services(Service.HBASE, Service.KAFKA).stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            Configuration conf = HBaseConfiguration.create();
            endpoints.hbaseClientSettings().forEach(conf::set);
            try (Connection hbase = ConnectionFactory.createConnection(conf)) {
                TableName table = TableName.valueOf("profiles");
                try (Admin admin = hbase.getAdmin()) {
                    ProfileTables.initProfiles(admin, table, ProfileSchema.parse(ProfileStoreBenchmark.SCHEMA, "bench"),
                            Buckets.defaults(), 16, Compression.Algorithm.SNAPPY);
                }
                ProfileStoreBenchmark.load(hbase, table, csv, null, true);
            }
            for (boolean enrich : enrichRun ? new boolean[] {false, true} : new boolean[] {false}) {
                String topic = enrich ? "raw.enrich" : "raw.plain";
                try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
                    kafka.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get();
                    run(kafka, stackDir, endpoints, topic, enrich, report);
                }
            }
        }
        System.out.println();
        System.out.println("| pipeline | throughput | request latency (" + batch + " events) | detail |");
        System.out.println("|---|---:|---|---|");
        System.out.print(report);
        return 0;
    }

    private void run(org.apache.kafka.clients.admin.Admin kafka, Path stackDir, StackEndpoints endpoints, String topic,
                     boolean enrich, StringBuilder report) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String interceptors = enrich ? "validate identify enrich" : "validate identify";
        String config = String.join("\n",
                "bench.sources = http", "bench.channels = raw",
                "bench.sources.http.type = http", "bench.sources.http.bind = 127.0.0.1", "bench.sources.http.port = " + port,
                "bench.sources.http.handler = dev.sluice.ingest.http.JsonEventsHandler",
                "bench.sources.http.channels = raw",
                "bench.sources.http.interceptors = " + interceptors,
                "bench.sources.http.interceptors.validate.type = dev.sluice.interceptors.ValidateInterceptor$Builder",
                "bench.sources.http.interceptors.identify.type = dev.sluice.interceptors.IdentifyInterceptor$Builder",
                "bench.sources.http.interceptors.identify.keyField = card_id",
                "bench.sources.http.interceptors.enrich.type = dev.sluice.interceptors.EnrichInterceptor$Builder",
                "bench.sources.http.interceptors.enrich.zookeeperQuorum = " + endpoints.hbaseClientSettings().get("hbase.zookeeper.quorum"),
                "bench.sources.http.interceptors.enrich.table = profiles",
                "bench.channels.raw.type = org.apache.flume.channel.kafka.KafkaChannel",
                "bench.channels.raw.kafka.bootstrap.servers = " + endpoints.kafkaBootstrapServers(),
                "bench.channels.raw.kafka.topic = " + topic,
                "bench.channels.raw.parseAsFlumeEvent = false",
                "bench.channels.raw.kafka.producer.partitioner.class = dev.sluice.common.kafka.BucketPartitioner",
                "bench.channels.raw.kafka.producer.acks = all",
                "bench.channels.raw.kafka.producer.enable.idempotence = " + idempotence,
                "bench.channels.raw.kafka.producer.linger.ms = 5",
                "bench.channels.raw.kafka.producer.batch.size = 262144",
                "bench.channels.raw.kafka.producer.compression.type = lz4", "");
        Path file = workDir.resolve("bench-" + topic + ".properties");
        Files.writeString(file, config);
        String name = "bench";
        int started = SluiceCli.newCommandLine().execute("flume", "run", file.toString(), "--name", name, "--work-dir",
                stackDir.toString(), "--heap", "768m");
        if (started != 0) {
            throw new IllegalStateException("the agent did not start");
        }
        try {
            // Warm-up: JIT and, with enrich, the profile cache's first misses.
            post(port, 20, new SplittableRandom(3), new Histogram(3));
            long warm = countIn(kafka, topic);
            Histogram latency = new Histogram(3);
            int requests = events / batch;
            AtomicLong next = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long began = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int seed = c;
                futures.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    Histogram local = new Histogram(3);
                    while (next.getAndIncrement() < requests) {
                        post(port, 1, random, local);
                    }
                    synchronized (latency) {
                        latency.add(local);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            long expected = warm + (long) requests * batch;
            while (countIn(kafka, topic) < expected) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            pool.shutdown();
            String line = String.format(Locale.ROOT, "| HTTP → %s → Kafka channel | %,.0f events/s | p50 %.1f ms, p99 %.1f ms | %,d events, %d clients%s |%n",
                    interceptors.replace(" ", " → "), requests * (double) batch / seconds, latency.getValueAtPercentile(50) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6, (long) requests * batch, clients, idempotence ? "" : ", producer not idempotent");
            System.out.print(line);
            report.append(line);
        } finally {
            SluiceCli.newCommandLine().execute("flume", "stop", "--name", name, "--work-dir", stackDir.toString());
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private void post(int port, int requests, SplittableRandom random, Histogram latency) throws Exception {
        for (int r = 0; r < requests; r++) {
            String body = IntStream.range(0, batch).mapToObj(i -> "{\"card_id\":\"card-" + random.nextInt(profiles)
                    + "\",\"amount\":" + random.nextInt(100_000) / 100.0 + ",\"merchant\":\"m-" + random.nextInt(5000) + "\"}")
                    .collect(Collectors.joining("\n"));
            long start = System.nanoTime();
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.discarding());
            latency.recordValue(System.nanoTime() - start);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode());
            }
        }
    }

    private static long countIn(org.apache.kafka.clients.admin.Admin kafka, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (int p = 0; p < 12; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return kafka.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
}
