package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.SluiceCli;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.solr.SolrClients;
import dev.sluice.solr.SolrCollections;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The tier-2 sinks as shipped in {@code conf/flume/tier2.properties}, one at a time, each in its own
 * real Flume agent started by {@code sluice flume run}: {@code events.enriched} (12 partitions) is
 * filled with enriched card events first, then the agent's Kafka channel reads it from the start
 * under a fresh consumer group and the sink lands it. Throughput counts the sink's committed events
 * (Flume's {@code EventDrainSuccessCount}) once {@code --warmup} events have landed (a fresh Solr,
 * region server or agent JVM spends its first tens of seconds compiling) until the last.
 */
@Command(name = "landing", mixinStandardHelpOptions = true, description = "Benchmark the tier-2 sinks (HBase, Solr, HDFS).")
public final class LandingBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--events", defaultValue = "300000", description = "Enriched events to land per sink (default ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--warmup", defaultValue = "100000",
            description = "Events each sink lands before the clock starts: JIT of the agent and of the server (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--sinks", split = ",", defaultValue = "solr_events,hbase_events,hdfs_events",
            description = "Sinks of tier2.properties to run, in order (default ${DEFAULT-VALUE}).")
    List<String> sinks;

    @Option(names = "--batch", description = "Override the sinks' batch size (default: as in tier2.properties).")
    Integer batch;

    @Option(names = "--parallel", defaultValue = "1",
            description = "Sinks taking from the one channel, each its own thread and Kafka consumer (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--conf", defaultValue = "conf/flume/tier2.properties", description = "The tier-2 configuration.")
    Path conf;

    @Option(names = "--work-dir", defaultValue = "target/bench-landing", description = "Work directory.")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LandingBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        workDir = Files.createDirectories(workDir).toAbsolutePath();
        Path stackDir = workDir.resolve("stack");
        StringBuilder report = new StringBuilder();
        try (LocalStack stack = LocalStack.builder().workDir(stackDir)
                .services(Service.ZOOKEEPER, Service.KAFKA, Service.HBASE, Service.SOLR, Service.HDFS).stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                    Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
                kafka.createTopics(List.of(new NewTopic("events.enriched", 12, (short) 1), new NewTopic("alerts", 12, (short) 1),
                        new NewTopic("events.dlq", 1, (short) 1))).all().get();
            }
            Configuration hbaseConf = HBaseConfiguration.create();
            endpoints.hbaseClientSettings().forEach(hbaseConf::set);
            try (Connection hbase = ConnectionFactory.createConnection(hbaseConf); Admin admin = hbase.getAdmin()) {
                ProfileTables.initEvents(admin, TableName.valueOf(ProfileTables.DEFAULT_EVENTS_TABLE), Buckets.defaults(), 16,
                        Compression.Algorithm.SNAPPY);
            }
            try (CloudSolrClient solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000)) {
                SolrCollections.init(solr, SolrCollections.DEFAULT_COLLECTIONS, 1, 1);
            }
            long bytes = fill(endpoints, warmup + events);
            double eventBytes = bytes / (double) (warmup + events);
            System.out.printf(Locale.ROOT, "events.enriched holds %,d events (%,.0f bytes each on average)%n", warmup + events, eventBytes);
            for (String sink : sinks) {
                String line = run(stackDir, endpoints, sink, eventBytes);
                System.out.print(line);
                report.append(line);
            }
        }
        System.out.println();
        System.out.println("| sink | throughput | detail |");
        System.out.println("|---|---:|---|");
        System.out.print(report);
        return 0;
    }

    private long fill(StackEndpoints endpoints, int count) {
        EventCodec codec = new EventCodec();
        SplittableRandom random = new SplittableRandom(11);
        List<String> segments = List.of("gold", "silver", "basic", "business");
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(SocketBuffers.autoTuned(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                endpoints.kafkaBootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")), new StringSerializer(), new ByteArraySerializer())) {
            Instant base = Instant.now().minusSeconds(count);
            for (int i = 0; i < count; i++) {
                String card = "card-" + random.nextInt(100_000);
                ObjectNode body = codec.mapper().createObjectNode().put("card_id", card).put("amount", random.nextInt(100_000) / 100.0)
                        .put("merchant", "m-" + random.nextInt(5000)).put("country", random.nextBoolean() ? "FR" : "DE")
                        .put("ts", base.plusSeconds(i).toString());
                ObjectNode profile = codec.mapper().createObjectNode().put("segment", segments.get(random.nextInt(4)))
                        .put("home_country", "FR").put("credit_limit", 1000 + random.nextInt(20) * 500)
                        .put("avg_amount_30d", random.nextInt(50_000) / 100.0).put("vip", random.nextInt(10) == 0);
                byte[] value = codec.encode(new Event("bench-" + i, card, base.plusSeconds(i), base.plusSeconds(i), body, profile));
                bytes += value.length;
                producer.send(new ProducerRecord<>("events.enriched", card, value));
            }
        }
        return bytes;
    }

    private String run(Path stackDir, StackEndpoints endpoints, String sink, double eventBytes) throws Exception {
        // The shipped configuration, cut down to this sink and its channel, under a fresh consumer group.
        List<String> lines = new ArrayList<>();
        lines.add("tier2.channels = " + sink);
        List<String> sinkNames = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            sinkNames.add(i == 0 ? sink : sink + "_" + (i + 1));
        }
        lines.add("tier2.sinks = " + String.join(" ", sinkNames));
        for (String line : Files.readAllLines(conf)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("tier2.sinks." + sink + ".")) {
                // Every parallel sink gets the same settings (and the same channel).
                for (String name : sinkNames.subList(1, sinkNames.size())) {
                    String copy = trimmed.replace("tier2.sinks." + sink + ".", "tier2.sinks." + name + ".");
                    if (batch != null && (copy.contains(".batchSize") || copy.contains(".hdfs.batchSize"))) {
                        copy = copy.substring(0, copy.indexOf('=') + 1) + " " + batch;
                    }
                    lines.add(copy.replace("hdfs.filePrefix = ${SLUICE_AGENT_ID}", "hdfs.filePrefix = ${SLUICE_AGENT_ID}-" + name));
                }
            }
            if (trimmed.startsWith("tier2.channels." + sink + ".") || trimmed.startsWith("tier2.sinks." + sink + ".")) {
                if (trimmed.contains(".kafka.consumer.group.id")) {
                    trimmed = "tier2.channels." + sink + ".kafka.consumer.group.id = bench-" + sink + "-" + System.nanoTime();
                }
                if (batch != null && (trimmed.startsWith("tier2.sinks." + sink + ".batchSize")
                        || trimmed.startsWith("tier2.sinks." + sink + ".hdfs.batchSize"))) {
                    trimmed = trimmed.substring(0, trimmed.indexOf('=') + 1) + " " + batch;
                }
                lines.add(trimmed);
            }
        }
        Path file = workDir.resolve("bench-" + sink + ".properties");
        Files.write(file, lines);
        String instance = "bench-" + sink;
        int started = SluiceCli.newCommandLine().execute("flume", "run", file.toString(), "--name", "tier2", "--instance", instance,
                "--work-dir", stackDir.toString(), "--heap", "768m");
        if (started != 0) {
            throw new IllegalStateException("the agent for " + sink + " did not start");
        }
        try {
            String metrics = Files.readString(stackDir.resolve("flume").resolve(instance).resolve("metrics.url")).strip();
            long first = 0;
            long firstAt = 0;
            long drained = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            long total = (long) warmup + events;
            while (drained < total) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(sink + " drained only " + drained + " of " + total + " in 20 minutes");
                }
                Thread.sleep(100);
                drained = 0;
                for (String name : sinkNames) {
                    drained += counter(metrics, "SINK." + name, "EventDrainSuccessCount");
                }
                if (firstAt == 0 && drained >= warmup && drained > 0) {
                    first = drained;
                    firstAt = System.nanoTime();
                }
            }
            double seconds = (System.nanoTime() - firstAt) / 1e9;
            double rate = (drained - first) / seconds;
            String check = "";
            if (sink.startsWith("solr")) {
                try (CloudSolrClient solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000)) {
                    solr.commit(SolrCollections.EVENTS);
                    long found = solr.query(SolrCollections.EVENTS, new SolrQuery("*:*").setRows(0)).getResults().getNumFound();
                    check = String.format(Locale.ROOT, "; Solr holds %,d documents", found);
                }
            }
            return String.format(Locale.ROOT, "| %s | %,.0f events/s | %,d events of ~%.0f B after %,d of warm-up, batch %s, one agent, %d sink thread(s)%s |%n", sink, rate,
                    drained - first, eventBytes, warmup, batch == null ? "as configured" : batch.toString(), parallel, check);
        } finally {
            SluiceCli.newCommandLine().execute("flume", "stop", "--name", instance, "--work-dir", stackDir.toString());
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static long counter(String metricsUrl, String component, String name) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode node = JSON.readTree(response.body()).path(component).path(name);
        return node.asLong();
    }
}
