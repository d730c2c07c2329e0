package dev.sluice.bench;

import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
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

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The latency floor of this machine: what Kafka alone costs per hop, with no Sluice code in the
 * path. One hop is a producer → the broker → a read_committed reader; two hops put a plain
 * forwarding consumer (consume → produce, offsets committed asynchronously every 100 ms, as the
 * enrichment benchmark's pass-through) between them. Each is run at fixed offered loads, with the
 * same producer and reader settings as {@code sluice bench enrich}, so the enrichment latencies
 * can be read against it: an end-to-end path through the partitioned consumer is two hops plus
 * its processing. The machine's CPU split (user, system, idle, steal) over each level is read
 * from {@code /proc/stat}: on a shared two-vCPU machine the tail follows steal and saturation.
 */
@Command(name = "kafka-hop", mixinStandardHelpOptions = true,
        description = "Measure Kafka's own send → visible latency (one and two hops) on this machine: the floor under the enrichment latencies.")
public final class KafkaHopBenchmark implements Callable<Integer> {

    @Option(names = "--rates", split = ",", defaultValue = "1000,5000,10000", description = "Offered loads, events/s (default ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--seconds", defaultValue = "15", description = "Measured seconds per level, after as many of warm-up at the same rate (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--linger-ms", defaultValue = "1", description = "The sending producer's linger.ms, as the enrichment benchmark's (default ${DEFAULT-VALUE}).")
    int lingerMs;

    @Option(names = "--forward-linger-ms", paramLabel = "MS",
            description = "The forwarding producer's linger.ms in the two-hop path (default: Kafka's own, 5 ms).")
    Integer forwardLingerMs;

    @Option(names = "--settle", defaultValue = "15", description = "Idle seconds after the broker starts (default ${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--partitions", defaultValue = "12", description = "Partitions per topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--work-dir", defaultValue = "target/bench-kafka-hop", description = "Work directory of the stack.")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaHopBenchmark()).execute(args));
    }

    /** One measured level. */
    record Level(int hops, int rate, long events, Histogram latency, CpuSplit cpu) {
    }

    @Override
    public Integer call() throws Exception {
        List<Level> levels = new ArrayList<>();
        try (LocalStack stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA).stopOnExit(true).build()) {
            StackEndpoints endpoints = stack.start();
            String bootstrap = endpoints.kafkaBootstrapServers();
            Thread.sleep(TimeUnit.SECONDS.toMillis(settle)); // a broker just started is still compiling its hot paths
            int run = 0;
            for (int hops = 1; hops <= 2; hops++) {
                for (int rate : rates) {
                    run++;
                    String in = "hop" + run + ".in";
                    String out = hops == 1 ? in : "hop" + run + ".out";
                    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                        admin.createTopics(hops == 1 ? List.of(new NewTopic(in, partitions, (short) 1))
                                : List.of(new NewTopic(in, partitions, (short) 1), new NewTopic(out, partitions, (short) 1)))
                                .all().get(60, TimeUnit.SECONDS);
                    }
                    Level level = measure(bootstrap, hops, rate, in, out);
                    levels.add(level);
                    System.out.println(row(level));
                }
            }
        }
        System.out.println();
        System.out.println(table(levels));
        return 0;
    }

    private Level measure(String bootstrap, int hops, int rate, String in, String out) throws Exception {
        try (LatencyReader reader = new LatencyReader(bootstrap, out);
             Forwarder forwarder = hops == 2 ? new Forwarder(bootstrap, in, out, forwardLingerMs) : null;
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(SocketBuffers.autoTuned(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.LINGER_MS_CONFIG, lingerMs, ProducerConfig.ACKS_CONFIG, "1")), new StringSerializer(), new ByteArraySerializer())) {
            reader.start();
            if (forwarder != null) {
                forwarder.start();
            }
            SplittableRandom random = new SplittableRandom(rate);
            long warmup = send(producer, in, rate, seconds, random); // warm-up: JIT, group joins, batches
            producer.flush();
            // Only once the warm-up is through is the path live: a group still joining would add its wait to the level.
            reader.awaitCount(warmup, Duration.ofMinutes(2));
            Thread.sleep(2000);
            reader.reset();
            CpuSplit before = CpuSplit.read();
            long sent = send(producer, in, rate, seconds, random);
            CpuSplit cpu = CpuSplit.read().minus(before);
            producer.flush();
            reader.awaitCount(sent, Duration.ofMinutes(2));
            return new Level(hops, rate, sent, reader.latencies(), cpu);
        }
    }

    /** Sends at a fixed rate for the given seconds; each value carries its send time, as the enrichment benchmark's events do. */
    private static long send(KafkaProducer<String, byte[]> producer, String topic, int rate, int seconds, SplittableRandom random) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        long end = next + TimeUnit.SECONDS.toNanos(seconds);
        long sent = 0;
        String padding = "x".repeat(250); // about the size of a raw card event
        while (next < end) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            byte[] value = ("{\"sentNanos\":" + System.nanoTime() + ",\"pad\":\"" + padding + "\"}").getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, "card-" + random.nextInt(1_000_000), value));
            sent++;
            next += interval;
        }
        return sent;
    }

    private static String row(Level level) {
        Histogram h = level.latency();
        return String.format(Locale.ROOT, "| %d | %,d/s | %,d | %.1f | %.1f | %.1f | %.1f | %s |", level.hops(), level.rate(), level.events(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0, level.cpu());
    }

    static String table(List<Level> levels) {
        StringBuilder out = new StringBuilder("| hops | offered | events | p50 ms | p99 ms | p99.9 ms | max ms | machine CPU: user / system / idle / steal |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---|\n");
        levels.forEach(level -> out.append(row(level)).append('\n'));
        return out.toString();
    }

    /**
     * The middle hop of the two-hop path: a plain consumer → producer loop, as the enrichment
     * benchmark's pass-through (Kafka clients' defaults, offsets committed asynchronously).
     */
    private static final class Forwarder extends Thread implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final KafkaProducer<String, byte[]> producer;
        private final String in;
        private final String out;
        private volatile boolean running = true;

        Forwarder(String bootstrap, String in, String out, Integer lingerMs) {
            super("forwarder");
            setDaemon(true);
            this.in = in;
            this.out = out;
            this.consumer = new KafkaConsumer<>(SocketBuffers.autoTuned(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "forwarder-" + in, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(), new ByteArrayDeserializer());
            Map<String, Object> producerConfig = new java.util.HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            if (lingerMs != null) {
                producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
            }
            this.producer = new KafkaProducer<>(SocketBuffers.autoTuned(producerConfig), new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public void run() {
            consumer.subscribe(List.of(in));
            long lastCommit = System.nanoTime();
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(out, record.key(), record.value()));
                }
                if (System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(100)) {
                    consumer.commitAsync();
                    lastCommit = System.nanoTime();
                }
            }
            consumer.close();
            producer.close();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            join(10_000);
        }
    }
}
