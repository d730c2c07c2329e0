package dev.sluice.bench.enrich;

import dev.sluice.common.HBaseClientJvm;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.bench.CpuSplit;
import dev.sluice.bench.ProcessCpu;
import dev.sluice.bench.LatencyReader;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.RawEvent;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.consumer.ProfileEnrichment;
import dev.sluice.profiles.Profile;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code sluice bench enrich}: Sluice's partitioned consumer side by side with what users would
 * write instead, on the same broker, the same {@code events.raw} topic (12 partitions, events keyed
 * over N profiles) and the same profiles, one variant after the other in one invocation, each in
 * its own JVM ({@link VariantMain}) so that its CPU, heap and resident memory are its own.
 *
 * <p>Per variant: time from process start to the first event served (profiles loaded from HBase,
 * or the KTable restored: what a rebalance onto a fresh instance costs), heap after GC and resident
 * set, peak throughput (a backlog written while the variant is frozen, then drained: time until
 * the last enriched event is visible to a read_committed reader), CPU per event during the drain,
 * a live burst (as fast as one producer sends while the variant runs), and send → visible latency
 * (p50/p99/p99.9) at 25%, 50% and 75% of that variant's own peak.
 */
@Command(name = "enrich", mixinStandardHelpOptions = true,
        description = "Benchmark Sluice's partitioned consumer against Kafka Streams, HBase lookups and raw pass-through.")
public final class EnrichBenchmark implements Callable<Integer> {

    static final String SCHEMA = dev.sluice.bench.ProfileStoreBenchmark.SCHEMA;

    private static final EventCodec CODEC = new EventCodec();

    @Option(names = "--profiles", defaultValue = "100000", description = "Profiles (default ${DEFAULT-VALUE}).")
    int profiles;

    @Option(names = "--partitions", defaultValue = "12", description = "Partitions of the input topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--burst", defaultValue = "100000", description = "Events in the peak-throughput burst (default ${DEFAULT-VALUE}).")
    int burst;

    @Option(names = "--warmup", defaultValue = "20000", description = "Events sent (and waited for) before the burst, unmeasured: JIT, caches, batches (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--settle", defaultValue = "15", description = "Idle seconds after the profile load and after each burst,"
            + " so that a level measures steady state, not the broker and HBase catching up (default ${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--seconds", defaultValue = "10", description = "Seconds per offered load level (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--variants", split = ",", description = "Variants to run, in order (default: all): sluice-alos, sluice-eos, streams-alos, streams-eos,"
            + " hbase-get, hbase-multiget, pass-through.")
    List<String> variantIds;

    @Option(names = "--rates", split = ",", description = "Fixed offered loads (events/s) measured after the 25/50/75%% levels, the same for"
            + " every variant, so that latency is compared at equal absolute load (default: none).")
    List<Integer> fixedRates = List.of();

    @Option(names = "--generator-linger-ms", defaultValue = "1", description = "linger.ms of the load generator's producer (default"
            + " ${DEFAULT-VALUE}). Not part of the append → append latency, which starts at the input's append; it sets how often"
            + " the broker and every consumer are woken.")
    int generatorLingerMs;

    @Option(names = "--heap", defaultValue = "1g", description = "Max heap of each variant's JVM (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--work-dir", defaultValue = "target/bench-enrich", description = "Work directory (stack, state, logs).")
    Path workDir;

    @Option(names = "--keep-stack", description = "Keep the stack's data and logs under the work dir after a successful run (a failed run always keeps them).")
    boolean keepStack;

    @Option(names = "--out", defaultValue = "target/bench-enrich/report", description = "Where the table (enrich.md) and charts (SVG) go.")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EnrichBenchmark()).execute(args));
    }

    /** What one variant measured. */
    record Result(EnrichVariant variant, double startSeconds, long heapBytes, long rssBytes, double peak, double liveBurst,
                  double cpuMicrosPerEvent, double brokerMicrosPerEvent, double brokerKernelShare, double readerMicrosPerEvent,
                  List<Level> levels) {
    }

    /** The generator's shortest sleep: events are offered in the bursts of about a millisecond a real source sends too. */
    private static final long PACING_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Idle time before each load level (below). */
    private static final long LEVEL_GAP_MILLIS = 2000;

    /** CPU time of this JVM (the generator and the reader). */
    private static Duration ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /**
     * One offered load: send → visible latency (p50/p99/p99.9) and append → append latency (the issues'
     * definition: {@code events.raw} append → output append, broker clocks, whole milliseconds);
     * {@code cpuMicros}, the variant's CPU per event sent during the level; {@code machineBusy}, the share of
     * both cores not idle, everything on the machine included (the generator and the reader too);
     * {@code brokerMicros} and {@code ownMicros}, the broker's and this JVM's (generator and reader) CPU per event sent.
     */
    record Level(double fraction, int rate, double sentRate, long events, double p50Millis, double p99Millis, double p999Millis,
                 double appendP50Millis, double appendP99Millis, double appendP999Millis, double cpuMicros, double machineBusy,
                 double brokerMicros, double ownMicros) {
    }

    @Override
    public Integer call() throws Exception {
        List<EnrichVariant> variants = variantIds == null ? List.of(EnrichVariant.values())
                : variantIds.stream().map(EnrichVariant::ofId).toList();
        String classpath = System.getProperty("sluice.bench.classpath", System.getProperty("java.class.path"));
        if (!classpath.contains("kafka-streams")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "the variants need the benchmarks classpath: run through"
                    + " ./sluice bench enrich or Maven's exec:exec with %classpath (see BENCHMARKS.md), not exec:java");
        }
        Files.createDirectories(workDir);
        Files.createDirectories(out);
        ProfileSchema schema = ProfileSchema.parse(SCHEMA, "bench");
        ProfileEnrichment enrichment = new ProfileEnrichment(schema);
        List<Result> results = new ArrayList<>();
        try (LocalStack stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA, Service.HBASE)
                .stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            String bootstrap = endpoints.kafkaBootstrapServers();
            System.out.printf(Locale.ROOT, "loading %,d profiles into HBase and the compacted profiles topic%n", profiles);
            try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                    Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                kafka.createTopics(List.of(new NewTopic("events.raw", partitions, (short) 1).configs(LatencyReader.LOG_APPEND_TIME),
                        new NewTopic("profiles.table", partitions, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                        .all().get(60, TimeUnit.SECONDS);
                ProfileUpdates.ensureTopic(kafka, ProfileUpdates.DEFAULT_TOPIC, partitions);
            }
            loadProfiles(endpoints, schema, enrichment);
            Thread.sleep(TimeUnit.SECONDS.toMillis(settle) * 2); // HBase flushes and compacts what was just loaded
            long broker = stack.process(Service.KAFKA).orElseThrow(() -> new IllegalStateException("the stack's broker is not running")).pid();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(SocketBuffers.autoTuned(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName(), ProducerConfig.LINGER_MS_CONFIG, generatorLingerMs,
                    ProducerConfig.ACKS_CONFIG, "1")), new StringSerializer(), new ByteArraySerializer())) {
                for (EnrichVariant variant : variants) {
                    results.add(measure(variant, endpoints, producer, classpath, broker));
                }
            }
        }
        EnrichReport.write(out, results, profiles, partitions, burst, seconds);
        if (!keepStack) {
            // A million profiles leave about 11 GB of broker and HBase data; a failed run keeps them for its logs.
            LocalStack.deleteStopped(workDir.resolve("stack"));
        }
        System.out.println();
        System.out.print(Files.readString(out.resolve("enrich.md")));
        return 0;
    }

    private void loadProfiles(StackEndpoints endpoints, ProfileSchema schema, ProfileEnrichment enrichment) throws Exception {
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        TableName table = TableName.valueOf(ProfileTables.DEFAULT_PROFILES_TABLE);
        try (Connection hbase = ConnectionFactory.createConnection(conf);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(SocketBuffers.autoTuned(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                     ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName(), ProducerConfig.LINGER_MS_CONFIG, 20)),
                     new StringSerializer(), new ByteArraySerializer())) {
            try (Admin admin = hbase.getAdmin()) {
                ProfileTables.initProfiles(admin, table, schema, Buckets.defaults(), 16, Compression.Algorithm.NONE);
            }
            var codec = new dev.sluice.profiles.ProfileCodec(schema, Buckets.defaults());
            // As `sluice profiles load --bulk` writes them: sorted HFiles handed to the region server.
            try (var rows = dev.sluice.profiles.load.HFileRowSink.open(hbase, table, codec)) {
                for (int i = 0; i < profiles; i++) {
                    Profile profile = profile(i);
                    rows.write(profile);
                    // The same profile, in the cache form both Sluice and the KTable join read.
                    producer.send(new ProducerRecord<>("profiles.table", profile.key(), enrichment.cacheForm(profile)));
                }
                rows.finish();
            }
            producer.flush();
        }
    }

    /** Card holder i, as every enrichment benchmark generates it. */
    public static Profile profile(int i) {
        return new Profile("card-" + i, Map.of("holder_name", "Holder " + i, "segment", i % 3 == 0 ? "gold" : "basic",
                "home_country", i % 2 == 0 ? "DE" : "FR", "credit_limit", 500.0 * (1 + i % 4), "avg_amount_30d", 10.0 + i % 90,
                "txn_count_30d", (long) (i % 40), "card_since", Instant.ofEpochSecond(1_500_000_000L + i), "vip", i % 10 == 0));
    }

    private Result measure(EnrichVariant variant, StackEndpoints endpoints, KafkaProducer<String, byte[]> producer, String classpath,
                           long brokerPid)
            throws Exception {
        System.out.printf(Locale.ROOT, "%n== %s%n", variant.label());
        String output = "bench." + variant.id() + ".enriched";
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic(output, partitions, (short) 1).configs(LatencyReader.LOG_APPEND_TIME))).all().get(60, TimeUnit.SECONDS);
        }
        SplittableRandom random = new SplittableRandom(variant.ordinal());
        try (LatencyReader reader = new LatencyReader(endpoints.kafkaBootstrapServers(), output);
             Child child = Child.start(variant, endpoints, output, classpath, heap, workDir)) {
            reader.start();
            // Start → first event served: keep sending until one comes out (the variants read from "latest").
            while (reader.count() == 0) {
                if (!child.process.isAlive()) {
                    throw new IllegalStateException(variant.id() + " exited; see " + child.log);
                }
                if (System.nanoTime() - child.startedNanos > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException(variant.id() + " served nothing in 10 minutes; see " + child.log);
                }
                for (int p = 0; p < partitions; p++) {
                    send(producer, random);
                }
                producer.flush();
                Thread.sleep(100);
            }
            double startSeconds = (System.nanoTime() - child.startedNanos) / 1e9;
            Thread.sleep(2000); // let the probes drain
            System.out.printf(Locale.ROOT, "  start → first event %.1f s%n", startSeconds);

            reader.reset();
            for (int i = 0; i < warmup; i++) {
                send(producer, random);
            }
            producer.flush();
            reader.awaitCount(warmup, Duration.ofMinutes(10));
            // Live burst: as fast as the one producer sends while the variant runs. The variant shares the cores with the
            // producer and the reader, so a variant faster than the producer measures the producer.
            reader.reset();
            long began = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                send(producer, random);
            }
            producer.flush();
            reader.awaitCount(burst, Duration.ofMinutes(10));
            double liveBurst = burst / ((System.nanoTime() - began) / 1e9);
            System.out.printf(Locale.ROOT, "  live burst %,.0f events/s%n", liveBurst);
            Thread.sleep(TimeUnit.SECONDS.toMillis(settle));

            // Peak: the variant drains a backlog. It is frozen (SIGSTOP) while the burst is written, so the producer is not
            // competing for the cores while it works, as after an outage or a replay; frozen for a few seconds only, well
            // inside its group session and transaction timeouts.
            reader.reset();
            child.freeze();
            for (int i = 0; i < burst; i++) {
                send(producer, random);
            }
            producer.flush();
            Duration cpuBefore = child.cpu();
            ProcessCpu splitBefore = ProcessCpu.read(child.pid());
            Duration ownCpuBefore = ownCpu();
            ProcessCpu brokerBefore = ProcessCpu.read(brokerPid);
            CpuSplit drainMachineBefore = CpuSplit.read();
            began = System.nanoTime();
            child.thaw();
            reader.awaitCount(burst, Duration.ofMinutes(10));
            double peak = burst / ((System.nanoTime() - began) / 1e9);
            double cpuMicros = child.cpu().minus(cpuBefore).toNanos() / 1000.0 / burst;
            // Whether the drain used the whole machine (broker, variant, reader) or waited on something.
            double drainBusy = CpuSplit.read().minus(drainMachineBefore).busy();
            // This JVM's share: during the drain the generator is idle, so it is the reader's cost of measuring.
            double readerMicros = ownCpu().minus(ownCpuBefore).toNanos() / 1000.0 / burst;
            // The broker serves the variant and the reader; how much per event depends on the variant's requests and batches.
            ProcessCpu brokerDrain = ProcessCpu.read(brokerPid).minus(brokerBefore);
            double brokerMicros = brokerDrain.nanos() / 1000.0 / burst;
            double systemShare = ProcessCpu.read(child.pid()).minus(splitBefore).systemShare();
            System.out.printf(Locale.ROOT, "  peak (backlog drain) %,.0f events/s, CPU %.1f µs/event (%.0f%% in the kernel), machine %.0f%% busy,"
                    + " broker %.1f µs/event (%.0f%% in the kernel), reader %.1f µs/event%n", peak, cpuMicros, systemShare * 100, drainBusy * 100,
                    brokerMicros, brokerDrain.systemShare() * 100, readerMicros);
            Thread.sleep(TimeUnit.SECONDS.toMillis(settle));

            List<Level> levels = new ArrayList<>();
            List<Double> fractions = new ArrayList<>(List.of(0.25, 0.5, 0.75));
            fixedRates.forEach(r -> fractions.add(r / peak));
            for (int index = 0; index < fractions.size(); index++) {
                double fraction = fractions.get(index);
                int rate = index < 3 ? Math.max(1, (int) (peak * fraction)) : fixedRates.get(index - 3);
                if (fraction > 1) {
                    // Above what the variant drains: the backlog would only grow, and the level would measure the queue.
                    levels.add(new Level(fraction, rate, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, Double.NaN, Double.NaN, Double.NaN));
                    System.out.printf(Locale.ROOT, "  fixed rate %,d/s: not measured, above its peak%n", rate);
                    continue;
                }
                // Every level starts from quiet: without the pause the first milliseconds of one level met the tail of the
                // level before (its last batches, commits and the broker's flushes), and a 10,000/s level's p99 was a stall
                // of 180-210 ms within its first 200 ms (timelines of 2026-12-05).
                Thread.sleep(LEVEL_GAP_MILLIS);
                reader.reset((long) rate * seconds);
                Duration levelCpuBefore = child.cpu();
                ProcessCpu levelBrokerBefore = ProcessCpu.read(brokerPid);
                Duration levelOwnBefore = ownCpu();
                CpuSplit machineBefore = CpuSplit.read();
                long interval = 1_000_000_000L / rate;
                long next = System.nanoTime();
                long end = next + TimeUnit.SECONDS.toNanos(seconds);
                int sent = 0;
                while (next < end) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        // At least 1 ms: the events due meanwhile are sent together on waking. Waking for each event
                        // (every 25-100 µs) cost the generator a third of a core, taken from the variant and the broker.
                        LockSupport.parkNanos(Math.max(wait, PACING_NANOS));
                        continue;
                    }
                    send(producer, random, sent, reader);
                    sent++;
                    next += interval;
                }
                producer.flush();
                reader.awaitCount(sent, Duration.ofMinutes(5));
                double levelCpuMicros = child.cpu().minus(levelCpuBefore).toNanos() / 1000.0 / Math.max(1, sent);
                double machineBusy = CpuSplit.read().minus(machineBefore).busy();
                // Where the rest of the machine went: a level's generator sends small batches, the drain's did not run.
                ProcessCpu levelBroker = ProcessCpu.read(brokerPid).minus(levelBrokerBefore);
                double levelBrokerMicros = levelBroker.nanos() / 1000.0 / Math.max(1, sent);
                double levelOwnMicros = ownCpu().minus(levelOwnBefore).toNanos() / 1000.0 / Math.max(1, sent);
                Histogram h = reader.latencies();
                Histogram appends = reader.appendLatencies();
                reader.writeTimeline(out.resolve("timelines").resolve(variant.id() + "-" + rate + ".csv"), 10);
                // The one producer may fall short of a high offered load: what it sent is reported beside it.
                Level level = new Level(fraction, rate, sent / (double) seconds, h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                        appends.getValueAtPercentile(50) / 1000.0, appends.getValueAtPercentile(99) / 1000.0,
                        appends.getValueAtPercentile(99.9) / 1000.0, levelCpuMicros, machineBusy,
                        levelBrokerMicros, levelOwnMicros);
                levels.add(level);
                System.out.printf(Locale.ROOT, "  %s%.0f%% of peak (%,d/s offered, %,.0f/s sent): send → visible p50 %.1f ms, p99 %.1f ms, "
                                + "p99.9 %.1f ms; append → append (%,d events) p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms; CPU µs/event: variant %.1f, "
                                + "broker %.1f (%.0f%% in the kernel), generator and reader %.1f; machine %.0f%% busy%n",
                        index < 3 ? "" : "fixed rate, ", fraction * 100, rate, level.sentRate(), level.p50Millis(), level.p99Millis(), level.p999Millis(),
                        appends.getTotalCount(), level.appendP50Millis(), level.appendP99Millis(), level.appendP999Millis(),
                        level.cpuMicros(), level.brokerMicros(), levelBroker.systemShare() * 100, level.ownMicros(), 100 * level.machineBusy());
            }
            // Measured last: by now every partition has served events, so every profile is loaded.
            long heapBytes = child.heapAfterGc();
            long rssBytes = child.rssBytes();
            System.out.printf(Locale.ROOT, "  heap after GC %,d MB, RSS %,d MB%n", heapBytes >> 20, rssBytes >> 20);
            writeSamples(endpoints, output, out.resolve("samples").resolve(variant.id() + ".jsonl"));
            return new Result(variant, startSeconds, heapBytes, rssBytes, peak, liveBurst, cpuMicros, brokerMicros, brokerDrain.systemShare(), readerMicros, levels);
        }
    }

    /** A few of the variant's output records, to see (and check) what it produced. */
    private static void writeSamples(StackEndpoints endpoints, String topic, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        List<String> samples = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            var partition = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (samples.size() < 3 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (samples.size() < 3) {
                        samples.add(r.value());
                    }
                });
            }
        }
        Files.write(file, samples);
    }

    private void send(KafkaProducer<String, byte[]> producer, SplittableRandom random) {
        send(producer, random, -1, null);
    }

    /** An event; one with {@code seq} ≥ 0 reports its append time to {@code reader} for append → append latency. */
    private void send(KafkaProducer<String, byte[]> producer, SplittableRandom random, int seq, LatencyReader reader) {
        String key = "card-" + random.nextInt(profiles);
        // The body as JSON text and the envelope by the codec's byte path: the generator shares the measured cores,
        // and building a tree per event made it the ceiling of the live burst.
        byte[] body = ("{\"card_id\":\"" + key + "\",\"amount\":" + random.nextInt(50_000) / 100.0 + ",\"merchant\":\"m-"
                + random.nextInt(1000) + "\",\"seq\":" + seq + ",\"sentNanos\":" + System.nanoTime() + "}").getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        // Ids from the seeded generator: UUID.randomUUID() draws on SecureRandom, a lock and a syscall per event.
        String id = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
        producer.send(new ProducerRecord<>("events.raw", key, CODEC.encode(new RawEvent(id, key, now, now, body, 0, body.length), null)),
                reader == null ? null : reader.inputAppended(seq));
    }

    /** A variant's JVM: commands on its stdin, answers on its stdout, its log beside the work dir. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final Path log;
        private final long startedNanos;
        private final Writer commands;
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

        private Child(Process process, Path log, long startedNanos) {
            this.process = process;
            this.log = log;
            this.startedNanos = startedNanos;
            this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread pump = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        answers.add(line);
                    }
                } catch (IOException e) {
                    // the child is gone
                }
            }, "child-stdout");
            pump.setDaemon(true);
            pump.start();
        }

        static Child start(EnrichVariant variant, StackEndpoints endpoints, String output, String classpath, String heap, Path workDir)
                throws IOException {
            Path log = workDir.resolve(variant.id() + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + heap));
            command.addAll(HBaseClientJvm.OPTIONS);
            // Extra JVM options for the variants, e.g. a JFR recording when profiling one of them.
            String extra = System.getenv().getOrDefault("SLUICE_BENCH_VARIANT_OPTS", "").replace("{variant}", variant.id());
            if (!extra.isBlank()) {
                command.addAll(List.of(extra.trim().split("\\s+")));
            }
            command.addAll(List.of("-cp", classpath, VariantMain.class.getName(), variant.id(),
                    "bootstrap.servers=" + endpoints.kafkaBootstrapServers(), "input=events.raw", "output=" + output,
                    "group=bench-" + variant.id(), "profiles.topic=profiles.table", "profiles.table=" + ProfileTables.DEFAULT_PROFILES_TABLE,
                    "updates=" + ProfileUpdates.DEFAULT_TOPIC, "state.dir=" + workDir.resolve("state-" + variant.id()), "schema=" + SCHEMA));
            endpoints.hbaseClientSettings().forEach((k, v) -> command.add(k + "=" + v));
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            return new Child(process, log, started);
        }

        long heapAfterGc() throws Exception {
            commands.write("heap\n");
            commands.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String line = answers.poll(1, TimeUnit.SECONDS);
                if (line != null && line.startsWith("heap ")) {
                    return Long.parseLong(line.substring(5).trim());
                }
            }
            throw new IllegalStateException("no heap answer; see " + log);
        }

        /** Stops the variant's JVM where it is (SIGSTOP): it uses no CPU until {@link #thaw()}. */
        void freeze() throws IOException, InterruptedException {
            dev.sluice.stack.ProcessSignals.freeze(process.pid());
        }

        void thaw() throws IOException, InterruptedException {
            dev.sluice.stack.ProcessSignals.thaw(process.pid());
        }

        long pid() {
            return process.pid();
        }

        /** The process's user + system CPU time so far. */
        Duration cpu() {
            return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException("no CPU time for the variant's JVM"));
        }

        /** Resident set: the heap actually touched plus everything off-heap (RocksDB, direct buffers). */
        long rssBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return -1;
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                commands.write("stop\n");
                commands.flush();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
