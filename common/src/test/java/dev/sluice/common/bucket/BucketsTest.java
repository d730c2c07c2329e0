package dev.sluice.common.bucket;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BucketsTest {

    private static final Buckets BUCKETS = Buckets.defaults();

    @Test
    void defaultBucketCountIsDivisibleByEveryPartitionCountFromOneToTwelve() {
        assertThat(IntStream.rangeClosed(1, 12)).allMatch(BUCKETS::isAlignedWith);
        assertThat(BUCKETS.bucketCount()).isEqualTo(27720);
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36, 40})
    void partitionEqualsKafkaDefaultPartitionWhenPartitionCountDividesBucketCount(int partitions) {
        // BuiltInPartitioner.partitionForKey is what KafkaProducer 4.x uses for keyed records when no
        // partitioner is configured: a plain producer must land every key where Sluice would.
        for (byte[] key : sampleKeys(5_000, 7L)) {
            assertThat(BUCKETS.partitionOfKey(key, partitions))
                    .as("key %s", new String(key, StandardCharsets.UTF_8))
                    .isEqualTo(BuiltInPartitioner.partitionForKey(key, partitions));
        }
    }

    @Test
    void partitionDiffersFromKafkaDefaultForSomeKeysWhenNotAligned() {
        Buckets buckets = Buckets.of(1000);
        assertThat(buckets.isAlignedWith(7)).isFalse();
        long mismatches = sampleKeys(2_000, 3L).stream()
                .filter(k -> buckets.partitionOfKey(k, 7) != BuiltInPartitioner.partitionForKey(k, 7))
                .count();
        assertThat(mismatches).isPositive();
    }

    @Test
    void bucketIsStableAndInRange() {
        Buckets small = Buckets.of(16);
        for (byte[] key : sampleKeys(2_000, 11L)) {
            int bucket = small.bucketOf(key);
            assertThat(bucket).isBetween(0, 15).isEqualTo(small.bucketOf(key.clone()));
        }
        assertThat(BUCKETS.bucketOf("card-42")).isEqualTo(BUCKETS.bucketOf("card-42".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bucketsOfPartitionAreExactlyThoseThatMapToIt() {
        Buckets buckets = Buckets.of(60);
        int partitions = 8;
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            List<Integer> owned = buckets.bucketsOfPartition(p, partitions).boxed().toList();
            assertThat(owned).allMatch(b -> buckets.partitionOf(b, partitions) == partition);
            assertThat(owned).hasSize((int) IntStream.range(0, 60).filter(b -> b % partitions == partition).count());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65537, Integer.MAX_VALUE})
    void rejectsBucketCountsThatDoNotFitTheRowKeyPrefix(int count) {
        assertThatThrownBy(() -> Buckets.of(count))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 65536");
    }

    @Test
    void acceptsTheLargestTwoByteBucketCount() {
        assertThat(Buckets.of(65536).bucketCount()).isEqualTo(65536);
    }

    @Test
    void rejectsInvalidPartitionArguments() {
        assertThatThrownBy(() -> BUCKETS.partitionOf(3, 0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BUCKETS.bucketsOfPartition(4, 4)).hasMessageContaining("not in [0, 4)");
    }

    static List<byte[]> sampleKeys(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return IntStream.range(0, count).mapToObj(i -> switch (i % 4) {
            case 0 -> "card-" + random.nextLong(1_000_000_000L);
            case 1 -> "user-" + Long.toHexString(random.nextLong());
            case 2 -> "gerät-ü-" + random.nextInt() + "-\u20ac"; // multi-byte UTF-8
            default -> Integer.toString(random.nextInt());
        }).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
