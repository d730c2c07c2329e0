package dev.sluice.profiles.flume;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.ProfileRowKey;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Row keys of the {@code events} table:
 * {@code bucket (2 bytes) | key (UTF-8) | 0x00 | Long.MAX_VALUE - eventTimeMillis (8 bytes) | event id (UTF-8)}.
 *
 * <p>Deterministic, so a replayed event overwrites its own row. The bucket prefix spreads writes
 * over the pre-split regions like the profiles table; within a key, rows sort newest first, so
 * "the last N events of card X" is a short prefix scan.
 */
public final class EventRowKey {

    private EventRowKey() {
    }

    public static byte[] of(Buckets buckets, String key, Instant eventTime, String eventId) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        byte[] idBytes = eventId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(ProfileRowKey.PREFIX_BYTES + keyBytes.length + 1 + Long.BYTES + idBytes.length)
                .put(ProfileRowKey.prefix(buckets.bucketOf(keyBytes)))
                .put(keyBytes)
                .put((byte) 0)
                .putLong(Long.MAX_VALUE - eventTime.toEpochMilli())
                .put(idBytes)
                .array();
    }

    /** The prefix of every row of {@code key}, newest first. */
    public static byte[] prefixOf(Buckets buckets, String key) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(ProfileRowKey.PREFIX_BYTES + keyBytes.length + 1)
                .put(ProfileRowKey.prefix(buckets.bucketOf(keyBytes))).put(keyBytes).put((byte) 0).array();
    }
}
