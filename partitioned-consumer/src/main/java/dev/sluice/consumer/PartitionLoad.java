package dev.sluice.consumer;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ScanListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Loads what one newly assigned partition needs before its events can be processed, off the
 * processing thread: the update-stream offsets to resume from, the profiles of its buckets from
 * HBase, and its window checkpoints from the changelog.
 *
 * <p>Order matters for freshness: the update offsets are taken <em>before</em> the scan. A write
 * lands in HBase before it is published, so an update published before that offset is already in
 * the scan, and one published after is applied on top (updates carry whole profiles, so applying
 * one twice is harmless).
 */
final class PartitionLoad implements Callable<PartitionLoad.Result> {

    /** What the load produced, installed by the processing thread. */
    record Result(int partition, PackedProfiles profiles, Map<String, byte[]> windowCheckpoints,
                  Map<TopicPartition, Long> updateOffsets, long nanos) {
    }

    private final int partition;
    private final int inputPartitions;
    private final Buckets buckets;
    private final ProfileStore store;
    private final int scanParallelism;
    private final Supplier<KafkaConsumer<String, byte[]>> restoreConsumers;
    private final Set<TopicPartition> updatePartitions;
    private final TopicPartition changelogPartition;
    private final java.util.function.Function<dev.sluice.profiles.Profile, byte[]> encoder;

    PartitionLoad(int partition, int inputPartitions, Buckets buckets, ProfileStore store, int scanParallelism,
                  Supplier<KafkaConsumer<String, byte[]>> restoreConsumers, Set<TopicPartition> updatePartitions,
                  TopicPartition changelogPartition, java.util.function.Function<dev.sluice.profiles.Profile, byte[]> encoder) {
        this.partition = partition;
        this.inputPartitions = inputPartitions;
        this.buckets = buckets;
        this.store = store;
        this.scanParallelism = scanParallelism;
        this.restoreConsumers = restoreConsumers;
        this.updatePartitions = updatePartitions;
        this.changelogPartition = changelogPartition;
        this.encoder = encoder;
    }

    @Override
    public Result call() throws IOException {
        long start = System.nanoTime();
        try (KafkaConsumer<String, byte[]> restore = restoreConsumers.get()) {
            // Assigned first: a read_committed consumer asked for the end offsets of partitions it does not hold
            // warns, once per partition and load, that it cannot note their last stable offset.
            restore.assign(updatePartitions);
            Map<TopicPartition, Long> updateOffsets = new HashMap<>(restore.endOffsets(updatePartitions, Duration.ofSeconds(30)));

            int[] owned = buckets.bucketsOfPartition(partition, inputPartitions).toArray();
            PackedProfiles profiles = new PackedProfiles();
            store.scanBuckets(owned, scanParallelism, profile -> {
                byte[] attributes = encoder.apply(profile);
                byte[] key = profile.key().getBytes(StandardCharsets.UTF_8);
                synchronized (profiles) {
                    profiles.put(key, attributes);
                }
            }, ScanListener.NONE);

            Map<String, byte[]> checkpoints = new LinkedHashMap<>();
            restore.assign(List.of(changelogPartition));
            restore.seekToBeginning(List.of(changelogPartition));
            long end = restore.endOffsets(List.of(changelogPartition), Duration.ofSeconds(30)).get(changelogPartition);
            while (restore.position(changelogPartition, Duration.ofSeconds(30)) < end) {
                for (ConsumerRecord<String, byte[]> record : restore.poll(Duration.ofMillis(200))) {
                    checkpoints.put(record.key(), record.value()); // later wins; null = tombstone
                }
            }
            checkpoints.values().removeIf(java.util.Objects::isNull);
            return new Result(partition, profiles, checkpoints, updateOffsets, System.nanoTime() - start);
        }
    }
}
