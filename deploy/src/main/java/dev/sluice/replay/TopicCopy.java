package dev.sluice.replay;

import dev.sluice.common.kafka.SocketBuffers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Copies the records of one topic that fall in a time range (and pass a filter) into another:
 * a shadow topic to test a fix on, or a re-drive of dead letters. The range is fixed when the copy
 * starts (offsets by time, bounded by the log end at that moment), so the count is exact even
 * while producers keep writing. Keys, values, headers and timestamps are kept; each copy gets a
 * {@value #SOURCE_HEADER} header ({@code topic/partition/offset}) naming its original.
 */
public final class TopicCopy {

    public static final String SOURCE_HEADER = "sluice.replay.source";

    /** What a copy did. */
    public record Result(long scanned, long copied, Map<String, Long> skipped) {
    }

    /** Decides per record: null to copy it (headers may be rewritten), or the reason to skip it. */
    public interface Filter {
        String skipReason(ConsumerRecord<byte[], byte[]> record);
    }

    private TopicCopy() {
    }

    /** Records in the range, without copying: the scan a {@code --dry-run} reports. */
    public static long countInRange(Admin admin, String topic, Instant from, Instant to) throws Exception {
        long total = 0;
        for (long[] range : ranges(admin, topic, from, to).values()) {
            total += range[1] - range[0];
        }
        return total;
    }

    /**
     * Copies the records of {@code [from, to)} that the filter passes.
     *
     * @param client Kafka client settings: bootstrap servers and security
     * @param dropHeaders header names not to carry over (e.g. a re-drive drops the error headers)
     * @param progress called with the records scanned so far
     */
    public static Result copy(Map<String, Object> client, Admin admin, String fromTopic, String toTopic, Instant from, Instant to,
                              Filter filter, Predicate<String> dropHeaders, LongConsumer progress, boolean dryRun) throws Exception {
        OffsetReset.partitions(admin, toTopic); // fails clearly if the target topic does not exist
        Map<TopicPartition, long[]> ranges = ranges(admin, fromTopic, from, to);
        long scanned = 0;
        long copied = 0;
        Map<String, Long> skipped = new java.util.TreeMap<>();
        Map<String, Object> consumerConfig = SocketBuffers.autoTuned(client);
        consumerConfig.putAll(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000));
        Map<String, Object> producerConfig = SocketBuffers.autoTuned(client);
        producerConfig.putAll(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 10));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = dryRun ? null
                     : new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            Map<TopicPartition, long[]> pending = new HashMap<>();
            ranges.forEach((tp, range) -> {
                if (range[1] > range[0]) {
                    pending.put(tp, range);
                }
            });
            consumer.assign(pending.keySet());
            pending.forEach((tp, range) -> consumer.seek(tp, range[0]));
            long idleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!pending.isEmpty()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    // Transaction markers and aborted records take offsets without yielding records.
                    for (TopicPartition tp : Set.copyOf(pending.keySet())) {
                        if (consumer.position(tp) >= pending.get(tp)[1]) {
                            pending.remove(tp);
                        }
                    }
                    if (System.nanoTime() > idleDeadline) {
                        throw new IllegalStateException("no progress for 60 s reading " + fromTopic + " (partitions " + pending.keySet() + ")");
                    }
                    consumer.assign(pending.keySet());
                    continue;
                }
                idleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    long[] range = pending.get(tp);
                    if (range == null || record.offset() >= range[1]) {
                        continue;
                    }
                    scanned++;
                    String reason = filter.skipReason(record);
                    if (reason != null) {
                        skipped.merge(reason, 1L, Long::sum);
                    } else {
                        copied++;
                        if (producer != null) {
                            RecordHeaders headers = new RecordHeaders();
                            for (Header header : record.headers()) {
                                if (!dropHeaders.test(header.key())) {
                                    headers.add(header);
                                }
                            }
                            headers.add(SOURCE_HEADER, (record.topic() + "/" + record.partition() + "/" + record.offset()).getBytes(StandardCharsets.UTF_8));
                            producer.send(new ProducerRecord<>(toTopic, null, record.timestamp(), record.key(), record.value(), headers));
                        }
                    }
                    if (record.offset() + 1 >= range[1]) {
                        pending.remove(tp);
                    }
                }
                progress.accept(scanned);
                if (!pending.isEmpty()) {
                    consumer.assign(pending.keySet());
                }
            }
            if (producer != null) {
                producer.flush();
            }
        }
        return new Result(scanned, copied, skipped);
    }

    /** Per partition, {@code [first offset at or after from, first offset at or after to)}, capped at the log end now. */
    static Map<TopicPartition, long[]> ranges(Admin admin, String topic, Instant from, Instant to) throws Exception {
        List<TopicPartition> partitions = OffsetReset.partitions(admin, topic);
        Map<TopicPartition, Long> ends = OffsetReset.offsets(admin, partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> starts = from == null ? OffsetReset.offsets(admin, partitions, OffsetSpec.earliest())
                : OffsetReset.offsets(admin, partitions, OffsetSpec.forTimestamp(from.toEpochMilli()));
        Map<TopicPartition, Long> stops = to == null ? ends : OffsetReset.offsets(admin, partitions, OffsetSpec.forTimestamp(to.toEpochMilli()));
        Map<TopicPartition, long[]> ranges = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long end = ends.get(tp);
            long start = starts.get(tp) < 0 ? end : starts.get(tp);
            long stop = stops.get(tp) < 0 ? end : Math.min(stops.get(tp), end);
            ranges.put(tp, new long[] {start, Math.max(start, stop)});
        }
        return ranges;
    }
}
