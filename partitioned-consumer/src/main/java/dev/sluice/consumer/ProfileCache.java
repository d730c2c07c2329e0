package dev.sluice.consumer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The profiles of the partitions this instance owns, and nothing else: per partition, the entity keys
 * and the profiles' attributes in {@link ProfileEnrichment}'s compact cache form, packed into a few
 * large arrays ({@link PackedProfiles}) and decoded only when an event needs them. That holds the
 * cache near the profiles' serialized size (see BENCHMARKS.md for the measured ratio) and leaves
 * the garbage collector a few hundred objects per partition instead of four per profile.
 *
 * <p>One writer at a time: the polling thread between batches (loads, updates), or during a batch
 * the processing thread that owns the partition (lookups of unknown keys write only that partition's
 * profiles). Counts are readable from any thread (metrics, status).
 */
final class ProfileCache {

    private final Map<Integer, PackedProfiles> byPartition = new ConcurrentHashMap<>();
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /** Installs a freshly loaded partition, replacing anything held for it. */
    void install(int partition, PackedProfiles profiles) {
        drop(partition);
        byPartition.put(partition, profiles);
        entries.addAndGet(profiles.size());
        bytes.addAndGet(profiles.memoryBytes());
    }

    /** Forgets a partition (revoked or lost). */
    void drop(int partition) {
        PackedProfiles old = byPartition.remove(partition);
        if (old != null) {
            entries.addAndGet(-old.size());
            bytes.addAndGet(-old.memoryBytes());
        }
    }

    boolean owns(int partition) {
        return byPartition.containsKey(partition);
    }

    /** The cached attributes of a key (UTF-8) of an owned partition, or null. */
    byte[] get(int partition, byte[] key) {
        PackedProfiles profiles = byPartition.get(partition);
        return profiles == null ? null : profiles.get(key);
    }

    /** Warms the cache lines of these keys' entries ({@link PackedProfiles#prefetch}); keys of partitions not owned are ignored. */
    void prefetch(int partition, byte[][] keys, int count) {
        PackedProfiles profiles = byPartition.get(partition);
        if (profiles != null) {
            profiles.prefetch(keys, count);
        }
    }

    byte[] get(int partition, String key) {
        return get(partition, key.getBytes(StandardCharsets.UTF_8));
    }

    /** Applies an update for a key of an owned partition; a null value deletes. */
    void apply(int partition, String key, byte[] attributes) {
        PackedProfiles profiles = byPartition.get(partition);
        if (profiles == null) {
            return;
        }
        int sizeBefore = profiles.size();
        long bytesBefore = profiles.memoryBytes();
        if (attributes == null) {
            profiles.remove(key);
        } else {
            profiles.put(key, attributes);
        }
        entries.addAndGet(profiles.size() - sizeBefore);
        bytes.addAndGet(profiles.memoryBytes() - bytesBefore);
    }

    long entries() {
        return entries.get();
    }

    /** Heap held by the cache's pages and tables, in bytes. */
    long bytes() {
        return bytes.get();
    }

    Set<Integer> partitions() {
        return byPartition.keySet();
    }

    /** Profile count per owned partition, for the status endpoint. */
    Map<Integer, Integer> sizes() {
        Map<Integer, Integer> sizes = new HashMap<>();
        byPartition.forEach((p, profiles) -> sizes.put(p, profiles.size()));
        return sizes;
    }
}
