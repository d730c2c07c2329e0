package dev.sluice.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The input records processed since a point, with the offsets to commit for them and the output
 * sends they are waiting for. Under exactly-once there is one, the open transaction; under
 * at-least-once a unit is sealed at each commit point and its offsets may be committed once every
 * output it sent is acknowledged, so processing never waits for the broker.
 */
final class CommitUnit {

    private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    // Sends not yet acknowledged; one extra count until the unit is sealed, so it cannot look
    // complete while records are still being added.
    private final AtomicInteger unacknowledged = new AtomicInteger(1);
    private long[] timestamps = new long[256];
    private int records;

    /** Counts a partition's records of a poll as processed: the last one's offset is the partition's next commit position. */
    void processed(List<? extends ConsumerRecord<?, ?>> partitionRecords) {
        if (partitionRecords.isEmpty()) {
            return;
        }
        if (records + partitionRecords.size() > timestamps.length) {
            timestamps = Arrays.copyOf(timestamps, Math.max(records + partitionRecords.size(), records * 2));
        }
        for (ConsumerRecord<?, ?> record : partitionRecords) {
            timestamps[records++] = record.timestamp();
        }
        ConsumerRecord<?, ?> last = partitionRecords.get(partitionRecords.size() - 1);
        offsets.put(new TopicPartition(last.topic(), last.partition()), new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
    }

    /** An output of this unit was handed to the producer. */
    void sent() {
        unacknowledged.incrementAndGet();
    }

    /** An output of this unit was acknowledged (or failed; the failure is handled by the caller). */
    void acknowledged() {
        unacknowledged.decrementAndGet();
    }

    /** No more records or sends will be added. */
    void seal() {
        unacknowledged.decrementAndGet();
    }

    boolean isComplete() {
        return unacknowledged.get() == 0;
    }

    boolean isEmpty() {
        return records == 0;
    }

    Map<TopicPartition, OffsetAndMetadata> offsets() {
        return offsets;
    }

    /** Feeds each record's timestamp (for the end-to-end latency). */
    void forEachTimestamp(LongConsumer action) {
        for (int i = 0; i < records; i++) {
            action.accept(timestamps[i]);
        }
    }
}
