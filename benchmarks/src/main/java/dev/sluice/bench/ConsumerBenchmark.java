package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.consumer.ConsumerSettings;
import dev.sluice.consumer.PartitionedConsumer;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The partitioned consumer end to end on the local stack, one instance owning 12 partitions and
 * N profiles: time from assignment to the first enriched event (profiles loaded from HBase),
 * heap per cached profile, then throughput and latency (producer send → enriched event visible to
 * a read_committed reader) at a burst and at fractions of the measured peak, in both guarantees.
 */
@Command(name = "consumer", mixinStandardHelpOptions = true, description = "Benchmark the partitioned consumer.")
public final class ConsumerBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventCodec CODEC = new EventCodec();
    private static final int PARTITIONS = 12;

    private String rawTopic;

    @Option(names = "--profiles", defaultValue = "1000000", description = "Profiles in HBase (default ${DEFAULT-VALUE}).")
    int profiles;

    @Option(names = "--seconds", defaultValue = "15", description = "Seconds per offered load (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--burst", defaultValue = "200000", description = "Events in the peak-throughput burst (default ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--work-dir", defaultValue = "target/bench-consumer", description = "Work directory.")
    Path workDir;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Extra consumer setting (repeatable), e.g. kafka.consumer.group.protocol=classic.")
    Map<String, String> overrides = new HashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConsumerBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(workDir);
        Path csv = ProfileStoreBenchmark.profilesCsv(workDir, profiles);
        ProfileSchema schema = ProfileSchema.parse(ProfileStoreBenchmark.SCHEMA, "benchmark");
        Path rules = workDir.resolve("rules.yaml");
        Files.writeString(rules, """
                windows:
                  - {name: count_1h, aggregate: count, size: 1h, step: 1m}
                  - {name: spend_24h, aggregate: sum, field: amount, size: 24h, type: tumbling}
                rules:
                  - {name: over_limit, severity: high, expression: event.body.amount > profile.credit_limit}
                  - {name: burst, expression: window.count_1h > 20}
                  - {name: big_day, expression: window.spend_24h > profile.credit_limit * 3}
                """);
        StringBuilder report = new StringBuilder();
        try (LocalStack stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE, Service.KAFKA)
                .stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            Configuration conf = HBaseConfiguration.create();
            endpoints.hbaseClientSettings().forEach(conf::set);
            long serializedBytes = 0;
            try (Connection hbase = ConnectionFactory.createConnection(conf)) {
                TableName table = TableName.valueOf("profiles");
                try (Admin admin = hbase.getAdmin()) {
                    ProfileTables.initProfiles(admin, table, schema, Buckets.defaults(), 16, Compression.Algorithm.SNAPPY);
                }
                ProfileStoreBenchmark.load(hbase, table, csv, null, true);
                try (Admin admin = hbase.getAdmin()) {
                    admin.flush(table);
                }
                serializedBytes = serializedSize(csv, schema);
            }
            for (ConsumerSettings.Guarantee guarantee : ConsumerSettings.Guarantee.values()) {
                run(endpoints, guarantee, rules, serializedBytes, report);
            }
        }
        System.out.println();
        System.out.println("| mode | measure | result | detail |");
        System.out.println("|---|---|---:|---|");
        System.out.print(report);
        return 0;
    }

    private void run(StackEndpoints endpoints, ConsumerSettings.Guarantee guarantee, Path rules, long serializedBytes,
                     StringBuilder report) throws Exception {
        String mode = guarantee.name().toLowerCase(Locale.ROOT);
        String prefix = "bench-" + mode;
        rawTopic = prefix + ".raw";
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            // Both with LogAppendTime: append → append latency, the definition, from the broker's stamps.
            kafka.createTopics(List.of(new NewTopic(prefix + ".raw", PARTITIONS, (short) 1).configs(LatencyReader.LOG_APPEND_TIME),
                    new NewTopic(prefix + ".enriched", PARTITIONS, (short) 1).configs(LatencyReader.LOG_APPEND_TIME))).all().get();
            ProfileUpdates.ensureTopic(kafka, prefix + ".updates", PARTITIONS);
        }
        Map<String, String> values = new HashMap<>(endpoints.hbaseClientSettings());
        values.put("bootstrap.servers", endpoints.kafkaBootstrapServers());
        values.put("group.id", prefix);
        values.put("instance.id", prefix + "-0");
        values.put("processing.guarantee", mode);
        values.put("rules.file", rules.toString());
        values.put("topic.input", prefix + ".raw");
        values.put("topic.enriched", prefix + ".enriched");
        values.put("topic.alerts", prefix + ".alerts");
        values.put("topic.dlq", prefix + ".dlq");
        values.put("topic.updates", prefix + ".updates");
        values.putAll(overrides);

        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(SocketBuffers.autoTuned(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName(),
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "1")),
                new StringSerializer(), new ByteArraySerializer());
        LatencyReader reader = new LatencyReader(endpoints.kafkaBootstrapServers(), prefix + ".enriched");
        reader.start();

        System.gc();
        long heapBefore = usedHeap();
        PartitionedConsumer consumer = PartitionedConsumer.start(ConsumerSettings.from(values));
        Thread loop = new Thread(consumer::run, "consumer-" + mode);
        long started = System.nanoTime();
        loop.start();
        // One event per partition: the first enriched one marks the end of the initial load.
        SplittableRandom random = new SplittableRandom(1);
        send(producer, random);
        reader.awaitCount(1, Duration.ofMinutes(10));
        double firstEventSeconds = (System.nanoTime() - started) / 1e9;
        System.gc();
        long heapAfter = usedHeap();
        report.append(row(mode, "assignment → first enriched event, " + String.format(Locale.ROOT, "%,d", profiles) + " profiles / 12 partitions",
                String.format(Locale.ROOT, "%.1f s", firstEventSeconds), "includes the HBase scan of every bucket"));
        if (guarantee == ConsumerSettings.Guarantee.EXACTLY_ONCE) {
            double perProfile = (heapAfter - heapBefore) / (double) profiles;
            report.append(row(mode, "heap per cached profile (measured, GC'd heap delta)", String.format(Locale.ROOT, "%.0f B", perProfile),
                    String.format(Locale.ROOT, "serialized size %.0f B/profile (update-record key + value): ratio %.2f×",
                            serializedBytes / (double) profiles, perProfile / (serializedBytes / (double) profiles))));
        }

        // Peak: a burst as fast as the producer goes; throughput = events / time until the last is visible.
        reader.reset();
        long burstBegan = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            send(producer, random);
        }
        producer.flush();
        reader.awaitCount(burst, Duration.ofMinutes(10));
        double peak = burst / ((System.nanoTime() - burstBegan) / 1e9);
        report.append(row(mode, "peak throughput (burst of " + String.format(Locale.ROOT, "%,d", burst) + ")",
                String.format(Locale.ROOT, "%,.0f events/s", peak), "latency under a burst is queueing, not reported"));

        for (double fraction : new double[] {0.25, 0.5, 0.75}) {
            int rate = (int) (peak * fraction);
            consumerQuantiles(consumer.metricsPort()); // baseline for this level
            reader.reset((long) rate * seconds);
            long intervalNanos = 1_000_000_000L / rate;
            long next = System.nanoTime();
            long end = next + seconds * 1_000_000_000L;
            int sent = 0;
            while (next < end) {
                long now = System.nanoTime();
                if (now < next) {
                    LockSupport.parkNanos(next - now);
                    continue;
                }
                send(producer, random, sent, reader);
                sent++;
                next += intervalNanos;
            }
            producer.flush();
            reader.awaitCount(sent, Duration.ofMinutes(5));
            Histogram h = reader.latencies();
            Histogram appends = reader.appendLatencies();
            System.out.println("  consumer's own view: " + consumerQuantiles(consumer.metricsPort()));
            report.append(row(mode, String.format(Locale.ROOT, "latency at %.0f%% of peak (%,d events/s offered)", fraction * 100, rate),
                    String.format(Locale.ROOT, "p99 %.1f ms", h.getValueAtPercentile(99) / 1000.0),
                    String.format(Locale.ROOT, "p50 %.1f ms, p99.9 %.1f ms, max %.1f ms, %,d events", h.getValueAtPercentile(50) / 1000.0,
                            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount())));
            report.append(row(mode, String.format(Locale.ROOT, "append → append latency at %.0f%% of peak (%,d events/s offered)",
                            fraction * 100, rate),
                    String.format(Locale.ROOT, "p99 %.0f ms", appends.getValueAtPercentile(99) / 1000.0),
                    String.format(Locale.ROOT, "p50 %.0f ms, p99.9 %.0f ms, max %.0f ms, %,d events", appends.getValueAtPercentile(50) / 1000.0,
                            appends.getValueAtPercentile(99.9) / 1000.0, appends.getMaxValue() / 1000.0, appends.getTotalCount())));
        }
        consumer.stop();
        loop.join(30_000);
        consumer.close();
        reader.close();
        producer.close();
    }

    private void send(KafkaProducer<String, byte[]> producer, SplittableRandom random) {
        send(producer, random, -1, null);
    }

    /** An event; one with {@code seq} ≥ 0 reports its append time to {@code reader} for append → append latency. */
    private void send(KafkaProducer<String, byte[]> producer, SplittableRandom random, int seq, LatencyReader reader) {
        String key = "card-" + random.nextInt(profiles);
        ObjectNode body = JSON.createObjectNode().put("card_id", key).put("amount", random.nextInt(50_000) / 100.0)
                .put("merchant", "m-" + random.nextInt(1000)).put("seq", seq).put("sentNanos", System.nanoTime());
        Instant now = Instant.now();
        producer.send(new ProducerRecord<>(rawTopic, key, CODEC.encode(new Event(java.util.UUID.randomUUID().toString(), key, now, now, body))),
                reader == null ? null : reader.inputAppended(seq));
    }

    /**
     * The consumer's own view from its /metrics: p50/p99 of record timestamp → batch committed and of
     * the per-event work, estimated from the Prometheus histogram buckets (upper bound of the bucket).
     */
    private static String consumerQuantiles(int port) {
        try {
            String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return "commit " + quantiles(port, text, "sluice_consumer_end_to_end_latency_seconds")
                    + ", batch commit " + quantiles(port, text, "sluice_consumer_commit_duration_seconds")
                    + ", per-event work " + quantiles(port, text, "sluice_consumer_enrich_latency_seconds");
        } catch (Exception e) {
            return "unavailable: " + e;
        }
    }

    private static final Map<String, java.util.TreeMap<Double, Double>> LAST_SCRAPE = new java.util.concurrent.ConcurrentHashMap<>();

    private static String quantiles(int port, String prometheusText, String metric) {
        java.util.TreeMap<Double, Double> cumulative = new java.util.TreeMap<>();
        java.util.regex.Pattern bucket = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(metric) + "_bucket\\{.*le=\"([^\"]+)\".*} ([0-9.eE+-]+)");
        prometheusText.lines().forEach(line -> {
            java.util.regex.Matcher m = bucket.matcher(line);
            if (m.matches()) {
                double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                cumulative.merge(le, Double.parseDouble(m.group(2)), Double::sum);
            }
        });
        if (cumulative.isEmpty()) {
            return "n/a";
        }
        // Prometheus buckets count since start: subtract the previous scrape to get this load level alone.
        java.util.TreeMap<Double, Double> previous = LAST_SCRAPE.put(port + metric, new java.util.TreeMap<>(cumulative));
        if (previous != null) {
            cumulative.replaceAll((le, n) -> n - previous.getOrDefault(le, 0.0));
        }
        double total = cumulative.lastEntry().getValue();
        if (total == 0) {
            return "n/a";
        }
        StringBuilder out = new StringBuilder();
        for (double q : new double[] {0.5, 0.99}) {
            double le = cumulative.entrySet().stream().filter(e -> e.getValue() >= q * total).findFirst().orElseThrow().getKey();
            out.append(String.format(Locale.ROOT, "p%.0f ≤ %.2f ms ", q * 100, le * 1000));
        }
        return out.toString().trim();
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long serializedSize(Path csv, ProfileSchema schema) throws Exception {
        long total = 0;
        try (BufferedReader in = Files.newBufferedReader(csv)) {
            String header = in.readLine();
            String[] names = header.split(",");
            String line;
            while ((line = in.readLine()) != null) {
                String[] cells = line.split(",");
                Map<String, Object> attributes = new java.util.LinkedHashMap<>();
                for (int i = 1; i < names.length; i++) {
                    attributes.put(names[i], schema.attribute(names[i]).orElseThrow().type().parse(cells[i]));
                }
                total += cells[0].length() + ProfileUpdates.encode(new dev.sluice.profiles.Profile(cells[0], attributes), schema).length;
            }
        }
        return total;
    }

    private static String row(String mode, String measure, String result, String detail) {
        String line = "| " + mode + " | " + measure + " | " + result + " | " + detail + " |\n";
        System.out.print(line);
        return line;
    }
}
