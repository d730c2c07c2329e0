package dev.sluice.bench.enrich;

import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.consumer.ConsumerSettings;
import dev.sluice.consumer.PartitionedConsumer;
import dev.sluice.consumer.ProfileEnrichment;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One enrichment variant in its own JVM, so that its CPU, heap and resident memory are its own.
 * Arguments: {@code <variant> key=value...} (bootstrap.servers, input, output, group, profiles.topic,
 * state.dir, and the HBase client settings). Reads commands on stdin: {@code heap} (answers
 * {@code heap <used bytes after GC>}), {@code stop}.
 */
public final class VariantMain {

    private static final EventCodec CODEC = new EventCodec();

    private VariantMain() {
    }

    public static void main(String[] args) throws Exception {
        EnrichVariant variant = EnrichVariant.ofId(args[0]);
        Map<String, String> settings = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        AutoCloseable running = switch (variant) {
            case SLUICE_ALOS, SLUICE_EOS -> sluice(settings, variant == EnrichVariant.SLUICE_EOS);
            case STREAMS_ALOS, STREAMS_EOS -> streams(settings, variant == EnrichVariant.STREAMS_EOS);
            case HBASE_GET, HBASE_MULTIGET, PASS_THROUGH -> plainLoop(settings, variant);
        };
        System.out.println("started");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = in.readLine()) != null && !command.equals("stop")) {
            if (command.equals("heap")) {
                System.gc();
                System.gc();
                System.out.println("heap " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
        }
        running.close();
        System.out.println("stopped");
        System.exit(0);
    }

    /** Sluice's consumer as deployed, enrichment only (no rules), reading only what arrives from now on. */
    private static AutoCloseable sluice(Map<String, String> s, boolean exactlyOnce) throws Exception {
        Map<String, String> values = new HashMap<>();
        s.forEach((k, v) -> {
            if (k.startsWith("hbase.")) {
                values.put(k, v);
            }
        });
        values.put("bootstrap.servers", s.get("bootstrap.servers"));
        values.put("group.id", s.get("group"));
        values.put("instance.id", s.get("group") + "-0");
        values.put("processing.guarantee", exactlyOnce ? "exactly_once" : "at_least_once");
        values.put("topic.input", s.get("input"));
        values.put("topic.enriched", s.get("output"));
        values.put("topic.alerts", s.get("output") + ".alerts");
        values.put("topic.dlq", s.get("output") + ".dlq");
        values.put("topic.updates", s.get("updates"));
        values.put("kafka.consumer.auto.offset.reset", "latest");
        // Extra consumer settings for experiments, e.g. SLUICE_BENCH_CONSUMER_SETTINGS=kafka.consumer.group.protocol=classic
        for (String setting : System.getenv().getOrDefault("SLUICE_BENCH_CONSUMER_SETTINGS", "").split(",")) {
            if (setting.contains("=")) {
                values.put(setting.substring(0, setting.indexOf('=')).trim(), setting.substring(setting.indexOf('=') + 1).trim());
            }
        }
        PartitionedConsumer consumer = PartitionedConsumer.start(ConsumerSettings.from(values));
        Thread loop = new Thread(consumer::run, "sluice-consumer");
        loop.start();
        return () -> {
            consumer.stop();
            loop.join(30_000);
            consumer.close();
        };
    }

    /**
     * Kafka Streams as its users would write it: the profiles topic as a KTable (the source topic is
     * its changelog: topology.optimization=all), the events stream joined to it on the key (both
     * topics are partitioned by the same bucket partitioner, so co-partitioned), one stream thread
     * per core; the same enrichment code as Sluice's, so the output is the same.
     */
    private static AutoCloseable streams(Map<String, String> s, boolean exactlyOnce) {
        ProfileEnrichment enrichment = new ProfileEnrichment(dev.sluice.profiles.schema.ProfileSchema.parse(s.get("schema"), "bench"));
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, byte[]> profiles = builder.table(s.get("profiles.topic"),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withOffsetResetPolicy(AutoOffsetReset.earliest()),
                Materialized.as("profiles"));
        builder.stream(s.get("input"), Consumed.with(Serdes.String(), Serdes.ByteArray()).withOffsetResetPolicy(AutoOffsetReset.latest()))
                // The same enrichment as Sluice's without rules: the body copied through, the profile's slice copied in.
                .join(profiles, (eventBytes, profileBytes) -> enrichment.enrich(CODEC, decodeRaw(eventBytes), profileBytes))
                .to(s.get("output"), Produced.with(Serdes.String(), Serdes.ByteArray()));
        Properties config = new Properties();
        // The same kernel-tuned socket buffers as every other variant (SocketBuffers); Kafka Streams hands them to its clients.
        config.putAll(SocketBuffers.AUTO_TUNED);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, s.get("group"));
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.get("bootstrap.servers"));
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        config.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        config.put(StreamsConfig.STATE_DIR_CONFIG, s.get("state.dir"));
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), outputBatchBytes());
        Topology topology = builder.build(config);
        KafkaStreams streams = new KafkaStreams(topology, config);
        streams.start();
        return () -> streams.close(Duration.ofSeconds(30));
    }

    /**
     * A plain consumer → producer loop. The HBase variants are at-least-once: flush the outputs, then
     * commit the poll. Pass-through, the ceiling, never waits: it sends and commits asynchronously.
     */
    private static AutoCloseable plainLoop(Map<String, String> s, EnrichVariant variant) throws Exception {
        Connection hbase = null;
        ProfileStore store = null;
        ProfileEnrichment enrichment = null;
        if (variant != EnrichVariant.PASS_THROUGH) {
            Configuration conf = HBaseConfiguration.create();
            s.forEach((k, v) -> {
                if (k.startsWith("hbase.")) {
                    conf.set(k, v);
                }
            });
            hbase = ConnectionFactory.createConnection(conf);
            store = ProfileStore.open(hbase, TableName.valueOf(s.get("profiles.table")), null);
            enrichment = new ProfileEnrichment(store.schema());
        }
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(SocketBuffers.autoTuned(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.get("bootstrap.servers"), ConsumerConfig.GROUP_ID_CONFIG, s.get("group"),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")),
                new StringDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(SocketBuffers.autoTuned(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.get("bootstrap.servers"),
                ProducerConfig.BATCH_SIZE_CONFIG, outputBatchBytes())), new StringSerializer(), new ByteArraySerializer());
        AtomicBoolean running = new AtomicBoolean(true);
        ProfileStore profiles = store;
        ProfileEnrichment join = enrichment;
        String output = s.get("output");
        Thread loop = new Thread(() -> {
            consumer.subscribe(List.of(s.get("input")));
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    if (variant == EnrichVariant.PASS_THROUGH) {
                        // The ceiling: copy and commit without waiting for anything (no flush per poll).
                        records.forEach(r -> producer.send(new ProducerRecord<>(output, r.key(), r.value())));
                        consumer.commitAsync();
                        continue;
                    } else if (variant == EnrichVariant.HBASE_GET) {
                        for (ConsumerRecord<String, byte[]> r : records) {
                            Event event = CODEC.decode(r.value());
                            Profile profile = profiles.get(event.key()).orElse(null);
                            producer.send(new ProducerRecord<>(output, r.key(), CODEC.encode(enriched(join, event, profile))));
                        }
                    } else {
                        List<Event> events = new ArrayList<>(records.count());
                        records.forEach(r -> events.add(decode(r.value())));
                        Map<String, Profile> found = profiles.getAll(events.stream().map(Event::key).distinct().toList());
                        for (Event event : events) {
                            producer.send(new ProducerRecord<>(output, event.key(), CODEC.encode(enriched(join, event, found.get(event.key())))));
                        }
                    }
                    producer.flush();
                    consumer.commitSync();
                } catch (Exception e) {
                    e.printStackTrace();
                    running.set(false);
                }
            }
            consumer.close();
        }, variant.id());
        loop.start();
        Connection connection = hbase;
        return () -> {
            running.set(false);
            loop.join(30_000);
            producer.close();
            if (connection != null) {
                connection.close();
            }
        };
    }

    /**
     * The output producers' batch size of every variant but Sluice's (which sets its own): Sluice's default, so no
     * variant is measured with smaller batches than Sluice ships with. SLUICE_BENCH_OUTPUT_BATCH_BYTES sets another
     * (16384 is Kafka's default) for an A/B.
     */
    private static int outputBatchBytes() {
        String bytes = System.getenv("SLUICE_BENCH_OUTPUT_BATCH_BYTES");
        return bytes == null || bytes.isBlank() ? dev.sluice.consumer.PartitionedConsumer.OUTPUT_BATCH_BYTES : Integer.parseInt(bytes.trim());
    }

    private static dev.sluice.common.event.RawEvent decodeRaw(byte[] bytes) {
        try {
            return CODEC.decodeRaw(bytes);
        } catch (dev.sluice.common.event.MalformedEventException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The benchmark generates every event: one that does not decode is a bug, not input to handle. */
    private static Event decode(byte[] bytes) {
        try {
            return CODEC.decode(bytes);
        } catch (dev.sluice.common.event.MalformedEventException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Event enriched(ProfileEnrichment enrichment, Event event, Profile profile) {
        return profile == null ? event : enrichment.enrich(event, enrichment.attributes(profile));
    }
}
