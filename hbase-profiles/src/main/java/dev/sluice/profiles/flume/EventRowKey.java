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

    /** What a row key holds: the event's key, time (millisecond precision) and id. */
    public record Parts(String key, Instant eventTime, String eventId) {
    }

    /**
     * Reads a row key written by {@link #of}: the sink stores the event's key, time and id only here
     * (and in the event itself), not as columns, unless its serializer is configured to.
     *
     * @throws IllegalArgumentException if the bytes are not such a row key
     */
    public static Parts parse(byte[] row) {
        int separator = -1;
        for (int i = ProfileRowKey.PREFIX_BYTES; i < row.length; i++) {
            if (row[i] == 0) {
                separator = i;
                break;
            }
        }
        if (separator < 0 || row.length < separator + 1 + Long.BYTES) {
            throw new IllegalArgumentException("not an events row key (bucket | key | 0x00 | reversed time | id): "
                    + row.length + " bytes" + (separator < 0 ? ", no 0x00 after the key" : ", too short for the time"));
        }
        String key = new String(row, ProfileRowKey.PREFIX_BYTES, separator - ProfileRowKey.PREFIX_BYTES, StandardCharsets.UTF_8);
        long reversed = ByteBuffer.wrap(row, separator + 1, Long.BYTES).getLong();
        int idStart = separator + 1 + Long.BYTES;
        String id = new String(row, idStart, row.length - idStart, StandardCharsets.UTF_8);
        return new Parts(key, Instant.ofEpochMilli(Long.MAX_VALUE - reversed), id);
    }

    /** The prefix of every row of {@code key}, newest first. */
    public static byte[] prefixOf(Buckets buckets, String key) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(ProfileRowKey.PREFIX_BYTES + keyBytes.length + 1)
                .put(ProfileRowKey.prefix(buckets.bucketOf(keyBytes))).put(keyBytes).put((byte) 0).array();
    }
}
