package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Row keys of the {@code profiles} table: the key's bucket as 2 bytes, big-endian, then the key in
 * UTF-8. Rows therefore sort by bucket, and the profiles of one bucket are one contiguous prefix
 * range, which is what lets a consumer load exactly its partitions' share with prefix scans.
 */
public final class ProfileRowKey {

    public static final int PREFIX_BYTES = 2;

    private ProfileRowKey() {
    }

    public static byte[] of(Buckets buckets, String key) {
        return of(buckets.bucketOf(key), key);
    }

    public static byte[] of(int bucket, String key) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        byte[] row = new byte[PREFIX_BYTES + keyBytes.length];
        row[0] = (byte) (bucket >>> 8);
        row[1] = (byte) bucket;
        System.arraycopy(keyBytes, 0, row, PREFIX_BYTES, keyBytes.length);
        return row;
    }

    /** The 2-byte prefix shared by every row of {@code bucket}. */
    public static byte[] prefix(int bucket) {
        if (bucket < 0 || bucket > 0xFFFF) {
            throw new IllegalArgumentException("bucket " + bucket + " does not fit 2 bytes");
        }
        return new byte[] {(byte) (bucket >>> 8), (byte) bucket};
    }

    /** The first row after every row of {@code bucket}: the next prefix, or empty (end of table) after the last. */
    public static byte[] stopRow(int bucket) {
        return bucket >= 0xFFFF ? new byte[0] : prefix(bucket + 1);
    }

    public static int bucketOf(byte[] row) {
        return ((row[0] & 0xFF) << 8) | (row[1] & 0xFF);
    }

    public static String keyOf(byte[] row) {
        return new String(row, PREFIX_BYTES, row.length - PREFIX_BYTES, StandardCharsets.UTF_8);
    }

    /** {@code [start, stop)} row ranges covering the buckets, adjacent buckets merged into one range. */
    public static java.util.List<byte[][]> ranges(int[] buckets) {
        int[] sorted = Arrays.stream(buckets).distinct().sorted().toArray();
        java.util.List<byte[][]> ranges = new java.util.ArrayList<>();
        int i = 0;
        while (i < sorted.length) {
            int first = sorted[i];
            int last = first;
            while (i + 1 < sorted.length && sorted[i + 1] == last + 1) {
                last = sorted[++i];
            }
            ranges.add(new byte[][] {prefix(first), stopRow(last)});
            i++;
        }
        return ranges;
    }
}
