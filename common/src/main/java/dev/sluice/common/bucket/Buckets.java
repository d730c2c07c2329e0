package dev.sluice.common.bucket;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

/**
 * Bucket math: the one rule that ties an entity key to a Kafka partition and to an HBase row range.
 *
 * <pre>
 *   bucket    = toPositive(murmur2(utf8(key))) mod B
 *   partition = bucket mod P
 * </pre>
 *
 * <p>The hash is Kafka's own ({@code Utils.murmur2}, {@code Utils.toPositive}), the function its
 * default partitioner applies to serialized keys. Hence, whenever P divides B, {@code bucket mod P}
 * equals {@code toPositive(murmur2(key)) mod P}: the partition a plain Kafka producer picks for the
 * same key. That is why the default B, 27720 = lcm(1..12), is divisible by every partition count
 * from 1 to 12 (and by 14, 15, 18, 20, 24, 28, 30, 36, 40, …).
 *
 * <p>B is fixed for the life of a deployment: it is baked into every HBase row key (2 bytes,
 * big-endian), so it must lie in [1, 65536]. Changing the partition count P needs no rewrite.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Buckets {

    /** lcm(1..12): every partition count from 1 to 12 divides it. */
    public static final int DEFAULT_BUCKET_COUNT = 27720;
    /** Buckets must fit the unsigned 2-byte row-key prefix. */
    public static final int MAX_BUCKET_COUNT = 1 << 16;

    private final int bucketCount;

    private Buckets(int bucketCount) {
        this.bucketCount = bucketCount;
    }

    public static Buckets defaults() {
        return new Buckets(DEFAULT_BUCKET_COUNT);
    }

    /**
     * @throws IllegalArgumentException if {@code bucketCount} is outside [1, 65536]
     */
    public static Buckets of(int bucketCount) {
        if (bucketCount < 1 || bucketCount > MAX_BUCKET_COUNT) {
            throw new IllegalArgumentException("bucket count must be between 1 and " + MAX_BUCKET_COUNT
                    + " (it is stored in a 2-byte row-key prefix), was " + bucketCount);
        }
        return new Buckets(bucketCount);
    }

    public int bucketCount() {
        return bucketCount;
    }

    /** The bucket of an entity key, hashed from its UTF-8 bytes. */
    public int bucketOf(String key) {
        return bucketOf(key.getBytes(StandardCharsets.UTF_8));
    }

    /** The bucket of a serialized key (the bytes Kafka's default partitioner would hash). */
    public int bucketOf(byte[] keyBytes) {
        return Utils.toPositive(Utils.murmur2(keyBytes)) % bucketCount;
    }

    /** The partition, out of {@code partitionCount}, that owns {@code bucket}. */
    public int partitionOf(int bucket, int partitionCount) {
        requirePartitionCount(partitionCount);
        return bucket % partitionCount;
    }

    /** Shorthand for {@code partitionOf(bucketOf(keyBytes), partitionCount)}. */
    public int partitionOfKey(byte[] keyBytes, int partitionCount) {
        return partitionOf(bucketOf(keyBytes), partitionCount);
    }

    /**
     * Whether Sluice's partition equals Kafka's default partition for every key at this partition
     * count, i.e. whether {@code partitionCount} divides the bucket count.
     */
    public boolean isAlignedWith(int partitionCount) {
        requirePartitionCount(partitionCount);
        return bucketCount % partitionCount == 0;
    }

    /** The buckets owned by {@code partition}: every b with {@code b mod partitionCount == partition}. */
    public IntStream bucketsOfPartition(int partition, int partitionCount) {
        requirePartitionCount(partitionCount);
        if (partition < 0 || partition >= partitionCount) {
            throw new IllegalArgumentException("partition " + partition + " is not in [0, " + partitionCount + ")");
        }
        return IntStream.iterate(partition, b -> b < bucketCount, b -> b + partitionCount);
    }

    private static void requirePartitionCount(int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be at least 1, was " + partitionCount);
        }
    }

    @Override
    public String toString() {
        return "Buckets(" + bucketCount + ")";
    }
}
