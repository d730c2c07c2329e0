package dev.sluice.cli;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.common.HBaseClientJvm;
import dev.sluice.solr.SolrClients;
import dev.sluice.solr.SolrCollections;
import dev.sluice.stack.WebHdfs;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.load.LoadFormat;
import dev.sluice.profiles.load.LoadListener;
import dev.sluice.profiles.load.LoadReport;
import dev.sluice.profiles.load.MutatorRowSink;
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
import org.apache.hadoop.hbase.client.BufferedMutator;
import org.apache.hadoop.hbase.client.BufferedMutatorParams;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code sluice demo}: the pipeline end to end on the embedded stack. Starts ZooKeeper, Kafka,
 * HBase, SolrCloud and HDFS; creates the topics, tables and Solr collections; loads sample
 * card-holder profiles; starts the tier-1 Flume agent (HTTP → validate → identify → Kafka channel),
 * two partitioned consumers (enrich + alert rules, exactly once) and two tier-2 Flume agents in one
 * consumer group ({@code conf/flume/tier2.properties}: Kafka → HBase, Solr, HDFS); drives card
 * transactions with a few fraud patterns and some malformed requests through the HTTP source,
 * showing live progress; then reconciles the counts and stops everything it started.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on the embedded stack with generated card transactions, then reconcile.")
final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 12;
    private static final List<String> TIER2_INSTANCES = List.of("tier2-a", "tier2-b");

    @Spec
    CommandSpec spec;

    @Option(names = "--profiles", defaultValue = "100000", description = "Card-holder profiles to load (default: ${DEFAULT-VALUE}).")
    int profiles;

    @Option(names = "--duration", defaultValue = "60", description = "Seconds of traffic (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--rate", defaultValue = "1000", description = "Transactions per second offered (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--keep-running", description = "Leave the stack, agents and consumers up at the end (stop: sluice stack down --work-dir DIR).")
    boolean keepRunning;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the demo's stack lives (default: .sluice/demo). Emptied at start.")
    Path workDir;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path home = Path.of(System.getProperty("sluice.home", ".")).toAbsolutePath().normalize();
        Path dir = (workDir != null ? workDir : home.resolve(".sluice").resolve("demo")).toAbsolutePath().normalize();
        Path stackDir = dir.resolve("stack");
        long began = System.nanoTime();
        LocalStack stack = LocalStack.builder().workDir(stackDir).services(EnumSet.of(Service.ZOOKEEPER, Service.KAFKA, Service.HBASE, Service.SOLR, Service.HDFS))
                .stopOnExit(!keepRunning).build();
        List<Process> consumers = new ArrayList<>();
        boolean ok = false;
        try {
            step("starting ZooKeeper, Kafka, HBase, SolrCloud and HDFS in " + stackDir);
            StackEndpoints endpoints = stack.start();
            Configuration conf = HBaseConfiguration.create();
            endpoints.hbaseClientSettings().forEach(conf::set);
            conf.setInt("hbase.client.retries.number", 5);
            try (Connection hbase = ConnectionFactory.createConnection(conf);
                 org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                         Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
                step("creating topics (" + PARTITIONS + " partitions) and the profiles and events tables");
                PipelineTopics.ensure(kafka, PipelineTopics.INPUT, PipelineTopics.DEAD_LETTERS, PARTITIONS, Optional.empty());
                ProfileUpdates.ensureTopic(kafka, ProfileUpdates.DEFAULT_TOPIC, PARTITIONS);
                ProfileSchema schema = ProfileSchema.load(home.resolve("conf/profiles/cards.yaml"));
                try (Admin admin = hbase.getAdmin()) {
                    ProfileTables.initProfiles(admin, TableName.valueOf("profiles"), schema, Buckets.defaults(), 16, Compression.Algorithm.NONE);
                    ProfileTables.initEvents(admin, TableName.valueOf("events"), Buckets.defaults(), 16, Compression.Algorithm.NONE);
                }
                loadProfiles(hbase, dir);
                try (CloudSolrClient solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000)) {
                    SolrCollections.init(solr, SolrCollections.DEFAULT_COLLECTIONS, 1, 1);
                }
                step("created the Solr collections " + SolrCollections.DEFAULT_COLLECTIONS + " (configset " + SolrCollections.CONFIGSET + ")");

                step("starting the tier-1 Flume agent (HTTP, syslog, spooling dir, Avro → validate → identify → Kafka channel)");
                int httpPort = LoopbackPorts.free();
                Path spool = Files.createDirectories(dir.resolve("spool"));
                flume("run", home.resolve("conf/flume/tier1.properties").toString(), "--name", "tier1", "--work-dir", stackDir.toString(),
                        "--env", "SLUICE_HTTP_PORT=" + httpPort, "--env", "SLUICE_SYSLOG_PORT=" + LoopbackPorts.free(),
                        "--env", "SLUICE_AVRO_PORT=" + LoopbackPorts.free(), "--env", "SLUICE_SPOOL_DIR=" + spool,
                        "--env", "SLUICE_KEY_FIELD=card_id", "--env", "SLUICE_TIME_FIELD=ts");

                step("starting two partitioned consumers (rules: conf/rules/cards.yaml, exactly once)");
                for (int i = 0; i < 2; i++) {
                    consumers.add(startConsumer(dir, stackDir, endpoints, home, "demo-" + i));
                }
                awaitConsumersActive(dir, 2);

                step("starting two tier-2 Flume agents, one consumer group (events.enriched, alerts → HBase, Solr, HDFS)");
                for (String instance : TIER2_INSTANCES) {
                    flume("run", home.resolve("conf/flume/tier2.properties").toString(), "--name", "tier2", "--instance", instance,
                            "--work-dir", stackDir.toString());
                }

                Traffic traffic = drive(httpPort, endpoints);
                ok = reconcile(traffic, endpoints, hbase, dir.resolve("report.html"));
            }
        } finally {
            if (keepRunning) {
                out.printf("%nleft running: the stack, both agents and consumers; stop with ./sluice stack down --work-dir %s%n", stackDir);
            } else {
                step("stopping everything the demo started");
                for (Process consumer : consumers) {
                    consumer.destroy();
                }
                for (Process consumer : consumers) {
                    if (!consumer.waitFor(20, TimeUnit.SECONDS)) {
                        consumer.destroyForcibly();
                    }
                }
                for (String instance : TIER2_INSTANCES) {
                    flume("stop", "--name", instance, "--work-dir", stackDir.toString());
                }
                flume("stop", "--name", "tier1", "--work-dir", stackDir.toString());
                stack.stop();
            }
            out.printf("demo took %.0f s%n", (System.nanoTime() - began) / 1e9);
            out.flush();
        }
        return ok ? 0 : 1;
    }

    private void step(String what) {
        out.println("==> " + what);
        out.flush();
    }

    private void loadProfiles(Connection hbase, Path dir) throws Exception {
        Path csv = SampleCards.csv(dir, profiles);
        TableName table = TableName.valueOf("profiles");
        ProfileStore store = ProfileStore.open(hbase, table, null);
        try (BufferedMutator mutator = hbase.getBufferedMutator(new BufferedMutatorParams(table).writeBufferSize(8L << 20))) {
            LoadReport report = new ProfileLoader(store.codec(), new MutatorRowSink(store.codec(), mutator, false), null, LoadListener.NONE)
                    .load(csv, LoadFormat.CSV, false, r -> { });
            step(String.format(Locale.ROOT, "loaded %,d card-holder profiles into HBase in %.1f s (%,.0f rows/s)",
                    report.loaded(), report.took().toMillis() / 1000.0, report.rowsPerSecond()));
        }
    }

    private Process startConsumer(Path dir, Path stackDir, StackEndpoints endpoints, Path home, String id) throws IOException {
        Path logs = Files.createDirectories(dir.resolve("consumers"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        command.addAll(HBaseClientJvm.OPTIONS);
        command.addAll(List.of("-Dsluice.stack.dir=" + stackDir, "-Dsluice.stack.service=consumer-" + id,
                "-cp", System.getProperty("java.class.path"), "dev.sluice.consumer.ConsumerMain",
                "bootstrap.servers=" + endpoints.kafkaBootstrapServers(), "instance.id=" + id, "group.id=sluice-demo",
                "rules.file=" + home.resolve("conf/rules/cards.yaml"), "status.file=" + logs.resolve(id + ".status.json"),
                "rules.reload.interval.ms=2000"));
        endpoints.hbaseClientSettings().forEach((k, v) -> command.add(k + "=" + v));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(id + ".log").toFile())).start();
    }

    private void awaitConsumersActive(Path dir, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        HttpClient http = HttpClient.newHttpClient();
        while (System.nanoTime() < deadline) {
            Set<String> partitions = new HashSet<>();
            int up = 0;
            for (int i = 0; i < count; i++) {
                Path status = dir.resolve("consumers").resolve("demo-" + i + ".status.json");
                if (!Files.exists(status)) {
                    continue;
                }
                try {
                    int port = JSON.readTree(status.toFile()).path("metricsPort").asInt();
                    JsonNode live = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body());
                    live.path("partitions").fieldNames().forEachRemaining(partitions::add);
                    up++;
                } catch (IOException e) {
                    // not serving yet
                }
            }
            if (up == count && partitions.size() == PARTITIONS) {
                step("both consumers up; all " + PARTITIONS + " partitions loaded");
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the consumers did not take all partitions in 3 minutes: see " + dir.resolve("consumers"));
    }

    /** What the generator sent. */
    private record Traffic(long valid, long invalid, Map<String, Long> patterns, List<DemoReport.Sample> samples, Histogram latency) {
    }

    private Traffic drive(int httpPort, StackEndpoints endpoints) throws Exception {
        step(String.format(Locale.ROOT, "driving %,d transactions/s for %d s through the HTTP source "
                + "(patterns: over-limit amounts, bursts on one card, malformed requests)", rate, duration));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Long> patterns = new TreeMap<>();
        long valid = 0;
        long invalid = 0;
        LiveReader reader = new LiveReader(endpoints.kafkaBootstrapServers());
        reader.start();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(duration);
        long nextReport = start + TimeUnit.SECONDS.toNanos(2);
        int perTick = Math.max(1, rate / 10);
        long tick = start;
        while (System.nanoTime() < end) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < perTick; i++) {
                int roll = random.nextInt(1000);
                String card = "card-" + random.nextInt(profiles);
                double amount = 5 + random.nextInt(20_000) / 100.0;
                if (roll < 3) {
                    patterns.merge("malformed", 1L, Long::sum);
                    invalid++;
                    body.append(roll == 0 ? "{\"amount\": 12.5}" : roll == 1 ? "{oops" : "{\"card_id\":\"\"}").append('\n');
                    continue;
                }
                if (roll < 13) {
                    patterns.merge("over-limit amount", 1L, Long::sum);
                    amount = 20_000 + random.nextInt(10_000);
                } else if (roll < 15) {
                    patterns.merge("burst of 9 on one card", 1L, Long::sum);
                    for (int b = 0; b < 8; b++) {
                        body.append(transaction(card, 1 + random.nextInt(50))).append('\n');
                        valid++;
                    }
                }
                body.append(transaction(card, amount)).append('\n');
                valid++;
            }
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the HTTP source answered " + response.statusCode());
            }
            tick += TimeUnit.MILLISECONDS.toNanos(100);
            long now = System.nanoTime();
            if (now >= nextReport) {
                out.println(reader.progress(valid, (now - start) / 1e9));
                out.flush();
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
            if (tick > now) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(tick - now));
            }
        }
        step("traffic done; waiting for the pipeline to drain");
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (reader.enriched() < valid && System.nanoTime() < drainDeadline) {
            Thread.sleep(500);
        }
        out.println(reader.progress(valid, (System.nanoTime() - start) / 1e9));
        reader.close();
        return new Traffic(valid, invalid, patterns, reader.samples(), reader.overall());
    }

    private static String transaction(String card, double amount) {
        return String.format(Locale.ROOT, "{\"card_id\":\"%s\",\"amount\":%.2f,\"merchant\":\"m-%d\",\"ts\":\"%s\"}",
                card, amount, Math.abs(card.hashCode() % 500), Instant.now());
    }

    private boolean reconcile(Traffic traffic, StackEndpoints endpoints, Connection hbase, Path reportFile) throws Exception {
        step("reconciling");
        Map<String, Long> topicCounts = new LinkedHashMap<>();
        Set<String> enrichedIds = new HashSet<>();
        long enrichedRecords = 0;
        Map<String, Long> alertsByRule = new TreeMap<>();
        Map<String, Long> dlqByReason = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : List.of("events.raw", "events.enriched", "alerts", "events.dlq")) {
                long count = 0;
                for (ConsumerRecord<String, byte[]> record : readAll(consumer, topic)) {
                    count++;
                    switch (topic) {
                        case "events.enriched" -> {
                            enrichedRecords++;
                            enrichedIds.add(JSON.readTree(record.value()).path("id").asText());
                        }
                        case "alerts" -> alertsByRule.merge(JSON.readTree(record.value()).path("rule").asText(), 1L, Long::sum);
                        case "events.dlq" -> {
                            var reason = record.headers().lastHeader("sluice.error.reason");
                            dlqByReason.merge(reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8), 1L, Long::sum);
                        }
                        default -> { }
                    }
                }
                topicCounts.put(topic, count);
            }
        }
        // The tier-2 agents land what events.enriched and alerts hold; give them time to catch up.
        long alertCount = alertsByRule.values().stream().mapToLong(Long::longValue).sum();
        long hbaseRows = countRows(hbase);
        long solrEvents;
        long solrAlerts;
        long hdfsIds;
        List<String> queries;
        try (CloudSolrClient solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                hbaseRows = countRows(hbase);
                solrEvents = solrCount(solr, SolrCollections.EVENTS);
                solrAlerts = solrCount(solr, SolrCollections.ALERTS);
                hdfsIds = hdfsDistinctIds(endpoints, "/sluice/events.enriched");
                boolean landed = hbaseRows >= enrichedIds.size() && solrEvents >= enrichedIds.size() && solrAlerts >= alertCount
                        && hdfsIds >= enrichedIds.size();
                if (landed || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(2000);
            }
            queries = solrQueriesToTry(solr, endpoints);
        }
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "  sent through HTTP          %,10d valid + %,d malformed", traffic.valid(), traffic.invalid()));
        traffic.patterns().forEach((k, v) -> summary.add(String.format(Locale.ROOT, "    %-24s %,10d", k, v)));
        summary.add(String.format(Locale.ROOT, "  events.raw                 %,10d", topicCounts.get("events.raw")));
        summary.add(String.format(Locale.ROOT, "  events.enriched            %,10d records, %,d distinct ids (read_committed)", enrichedRecords, enrichedIds.size()));
        summary.add(String.format(Locale.ROOT, "  HBase events table         %,10d rows", hbaseRows));
        summary.add(String.format(Locale.ROOT, "  Solr events collection     %,10d documents", solrEvents));
        summary.add(String.format(Locale.ROOT, "  Solr alerts collection     %,10d documents", solrAlerts));
        summary.add(String.format(Locale.ROOT, "  HDFS /sluice/events.enriched %,8d distinct ids", hdfsIds));
        summary.add(String.format(Locale.ROOT, "  events.dlq                 %,10d %s", topicCounts.get("events.dlq"), dlqByReason));
        summary.add(String.format(Locale.ROOT, "  alerts                     %,10d %s", topicCounts.get("alerts"), alertsByRule));
        boolean exact = topicCounts.get("events.raw") == traffic.valid() && enrichedRecords == traffic.valid()
                && enrichedIds.size() == traffic.valid() && hbaseRows == traffic.valid()
                && solrEvents == traffic.valid() && solrAlerts == alertCount && hdfsIds == traffic.valid()
                && dlqByReason.entrySet().stream().filter(e -> !e.getKey().equals("RULE_FAILED")).mapToLong(Map.Entry::getValue).sum() == traffic.invalid();
        summary.add(exact ? "  RECONCILED: every valid transaction exactly once in Kafka, enriched, HBase and Solr, and in HDFS;"
                + " every alert in Solr; every malformed one in the DLQ"
                : "  NOT RECONCILED: see the counts above");
        out.println();
        summary.forEach(out::println);
        out.println();
        queries.forEach(out::println);
        summary.add("");
        summary.addAll(queries);
        Path report = DemoReport.write(reportFile, traffic.samples(), traffic.latency(), summary);
        out.println("  report: " + report);
        return exact;
    }

    /**
     * A few queries worth trying on what the demo landed, each run now and shown with its answer
     * and as the curl command that asks Solr the same (the stack stays up with --keep-running).
     */
    private List<String> solrQueriesToTry(CloudSolrClient solr, StackEndpoints endpoints) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("  Solr queries to try" + (keepRunning ? "" : " (run the demo with --keep-running to try them yourself)") + ":");
        try {
            // Each curl line is made before the query runs: the client adds its own parameters to a sent query.
            SolrQuery byRule = new SolrQuery("*:*").setRows(0).setFacet(true).addFacetField("rule", "severity");
            String byRuleCurl = curl(endpoints, SolrCollections.ALERTS, byRule);
            var rules = solr.query(SolrCollections.ALERTS, byRule);
            lines.add("  - alerts by rule and severity: " + facet(rules.getFacetField("rule")) + " " + facet(rules.getFacetField("severity")));
            lines.add("      " + byRuleCurl);

            SolrQuery overLimit = new SolrQuery("rule:over_limit").setRows(3).setFields("event_id", "key", "severity", "event_time")
                    .setSort("event_time", SolrQuery.ORDER.desc);
            String overLimitCurl = curl(endpoints, SolrCollections.ALERTS, overLimit);
            var latest = solr.query(SolrCollections.ALERTS, overLimit);
            lines.add("  - the latest over-limit alerts (" + latest.getResults().getNumFound() + " in all):");
            latest.getResults().forEach(doc -> lines.add(String.format(Locale.ROOT, "      %s  %-12s %-8s event %s", instant(doc.getFieldValue("event_time")),
                    doc.getFieldValue("key"), doc.getFieldValue("severity"), doc.getFieldValue("event_id"))));
            lines.add("      " + overLimitCurl);

            String card = latest.getResults().isEmpty() ? "card-1" : String.valueOf(latest.getResults().get(0).getFieldValue("key"));
            SolrQuery history = new SolrQuery("key:\"" + card + "\"").setRows(0);
            history.setGetFieldStatistics("body_amount_d");
            String historyCurl = curl(endpoints, SolrCollections.EVENTS, history);
            var stats = solr.query(SolrCollections.EVENTS, history);
            var amount = stats.getFieldStatsInfo().get("body_amount_d");
            lines.add(String.format(Locale.ROOT, "  - %s's transactions: %d, amounts from %s to %s", card, stats.getResults().getNumFound(),
                    amount == null ? "-" : amount.getMin(), amount == null ? "-" : amount.getMax()));
            lines.add("      " + historyCurl);

            SolrQuery bigBySegment = new SolrQuery("body_amount_d:[10000 TO *]").setRows(0).setFacet(true)
                    .addFacetField("profile_segment_s", "profile_home_country_s");
            String bigCurl = curl(endpoints, SolrCollections.EVENTS, bigBySegment);
            var segments = solr.query(SolrCollections.EVENTS, bigBySegment);
            lines.add("  - transactions of 10,000 or more (" + segments.getResults().getNumFound() + ") by segment and home country: "
                    + facet(segments.getFacetField("profile_segment_s")) + " " + facet(segments.getFacetField("profile_home_country_s")));
            lines.add("      " + bigCurl);
        } catch (SolrServerException e) {
            lines.add("  (Solr did not answer: " + e.getMessage() + ")");
        }
        return lines;
    }

    private static Object instant(Object value) {
        return value instanceof java.util.Date date ? date.toInstant() : value;
    }

    private static String facet(org.apache.solr.client.solrj.response.FacetField field) {
        if (field == null) {
            return "{}";
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        field.getValues().stream().filter(c -> c.getCount() > 0).forEach(c -> counts.put(c.getName(), c.getCount()));
        return counts.toString();
    }

    private static String curl(StackEndpoints endpoints, String collection, SolrQuery query) {
        return "curl '" + endpoints.solrUrl() + "/" + collection + "/select?" + query.toQueryString().substring(1) + "'";
    }

    private static long solrCount(CloudSolrClient solr, String collection) throws IOException {
        try {
            return solr.query(collection, new SolrQuery("*:*").setRows(0)).getResults().getNumFound();
        } catch (SolrServerException e) {
            throw new IOException("Solr query on " + collection + " failed: " + e.getMessage(), e);
        }
    }

    /** Distinct event ids in the tier-2 agents' HDFS files (HDFS is at-least-once: a re-read may write an event twice). */
    private static long hdfsDistinctIds(StackEndpoints endpoints, String directory) throws IOException, InterruptedException {
        WebHdfs hdfs = new WebHdfs(endpoints.hdfsHttpUrl());
        Set<String> ids = new HashSet<>();
        for (String file : hdfs.files(directory)) {
            List<String> lines;
            try {
                lines = hdfs.completeLines(file);
            } catch (java.io.FileNotFoundException rolled) {
                continue; // an in-progress file renamed since the listing: the caller polls again and finds it
            }
            for (String line : lines) {
                ids.add(JSON.readTree(line).path("id").asText());
            }
        }
        return ids.size();
    }

    private static long countRows(Connection hbase) throws IOException {
        long rows = 0;
        try (Table events = hbase.getTable(TableName.valueOf("events"));
             ResultScanner scanner = events.getScanner(new Scan().setFilter(new FirstKeyOnlyFilter()).setCaching(5000))) {
            for (Result ignored : scanner) {
                rows++;
            }
        }
        return rows;
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    private void flume(String... args) {
        int code = SluiceCli.newCommandLine().execute(prepend("flume", args));
        if (code != 0 && args[0].equals("run")) {
            throw new IllegalStateException("flume " + String.join(" ", args) + " failed (exit " + code + ")");
        }
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** Follows events.enriched, alerts and events.dlq for the live progress line. */
    private static final class LiveReader extends Thread implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Map<String, Long> counts = new HashMap<>();
        private Histogram latency = new Histogram(3_600_000L, 3);
        private final Histogram overall = new Histogram(3_600_000L, 3);
        private final List<DemoReport.Sample> samples = new ArrayList<>();
        private long lastEnriched;
        private double lastSeconds;

        LiveReader(String bootstrap) {
            super("demo-live");
            setDaemon(true);
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.GROUP_ID_CONFIG, "sluice-demo-live-" + System.nanoTime(),
                    // A latency probe: the broker may park an empty fetch for at most this long.
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public void run() {
            consumer.subscribe(List.of("events.enriched", "alerts", "events.dlq"));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    synchronized (this) {
                        counts.merge(record.topic(), 1L, Long::sum);
                        if (record.topic().equals("events.enriched")) {
                            try {
                                long ingest = Instant.parse(JSON.readTree(record.value()).path("ingestTime").asText()).toEpochMilli();
                                long millis = Math.max(0, Math.min(System.currentTimeMillis() - ingest, 3_600_000L));
                                latency.recordValue(millis);
                                overall.recordValue(millis);
                            } catch (Exception e) {
                                // a reading the latency cannot use: not counted
                            }
                        }
                    }
                }
            }
            consumer.close();
        }

        synchronized long enriched() {
            return counts.getOrDefault("events.enriched", 0L);
        }

        synchronized String progress(long sent, double seconds) {
            double rate = (enriched() - lastEnriched) / Math.max(0.001, seconds - lastSeconds);
            DemoReport.Sample sample = new DemoReport.Sample(seconds, sent, enriched(), rate, latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(50),
                    latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99));
            samples.add(sample);
            lastEnriched = enriched();
            lastSeconds = seconds;
            latency = new Histogram(3_600_000L, 3);
            return String.format(Locale.ROOT,
                    "  %5.0f s  sent %,9d  enriched %,9d (%,6.0f/s)  ingest→enriched p50 %4d ms p99 %5d ms  alerts %,7d  dlq %,5d",
                    seconds, sent, sample.enriched(), rate, sample.p50(), sample.p99(),
                    counts.getOrDefault("alerts", 0L), counts.getOrDefault("events.dlq", 0L));
        }

        synchronized List<DemoReport.Sample> samples() {
            return List.copyOf(samples);
        }

        synchronized Histogram overall() {
            return overall.copy();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            join(5000);
        }
    }
}
