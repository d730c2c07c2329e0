package dev.sluice.consumer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The profiles of the partitions this instance owns, and nothing else: a map per partition from
 * entity key to the profile's attributes as compact JSON bytes ({@link ProfileEnrichment}'s cache
 * form), decoded only when an event needs them. Keeping bytes rather than objects holds the cache near the
 * profiles' serialized size (see BENCHMARKS.md for the measured ratio).
 *
 * <p>One writer at a time: the polling thread between batches (loads, updates), or during a batch
 * the processing thread that owns the partition (lookups of unknown keys write only that partition's
 * map). Sizes are readable from any thread (metrics, status).
 */
final class ProfileCache {

    // Per-entry overhead beyond the key's characters and the value's bytes, for the bytes gauge:
    // HashMap node (32) + table slot (8 / 0.75) + String (24) + its byte[] header (16) + value byte[] header (16).
    static final int ENTRY_OVERHEAD_BYTES = 32 + 11 + 24 + 16 + 16;

    private final Map<Integer, Map<String, byte[]>> byPartition = new ConcurrentHashMap<>();
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /** Installs a freshly loaded partition, replacing anything held for it. */
    void install(int partition, Map<String, byte[]> profiles) {
        drop(partition);
        byPartition.put(partition, profiles);
        entries.addAndGet(profiles.size());
        profiles.forEach((k, v) -> bytes.addAndGet(sizeOf(k, v)));
    }

    /** Forgets a partition (revoked or lost). */
    void drop(int partition) {
        Map<String, byte[]> old = byPartition.remove(partition);
        if (old != null) {
            entries.addAndGet(-old.size());
            old.forEach((k, v) -> bytes.addAndGet(-sizeOf(k, v)));
        }
    }

    boolean owns(int partition) {
        return byPartition.containsKey(partition);
    }

    byte[] get(int partition, String key) {
        Map<String, byte[]> profiles = byPartition.get(partition);
        return profiles == null ? null : profiles.get(key);
    }

    /** Applies an update for a key of an owned partition; a null value deletes. */
    void apply(int partition, String key, byte[] attributes) {
        Map<String, byte[]> profiles = byPartition.get(partition);
        if (profiles == null) {
            return;
        }
        byte[] old = attributes == null ? profiles.remove(key) : profiles.put(key, attributes);
        if (old != null) {
            entries.decrementAndGet();
            bytes.addAndGet(-sizeOf(key, old));
        }
        if (attributes != null) {
            entries.incrementAndGet();
            bytes.addAndGet(sizeOf(key, attributes));
        }
    }

    long entries() {
        return entries.get();
    }

    /** Estimated heap held by the cache, in bytes. */
    long bytes() {
        return bytes.get();
    }

    Set<Integer> partitions() {
        return byPartition.keySet();
    }

    /** Profile count per owned partition, for the status endpoint. */
    Map<Integer, Integer> sizes() {
        Map<Integer, Integer> sizes = new HashMap<>();
        byPartition.forEach((p, m) -> sizes.put(p, m.size()));
        return sizes;
    }

    private static long sizeOf(String key, byte[] value) {
        return ENTRY_OVERHEAD_BYTES + key.length() + value.length;
    }
}
