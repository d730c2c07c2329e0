package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileRowKeyTest {

    private final Buckets buckets = Buckets.defaults();

    @Test
    void roundTripsBucketAndKey() {
        byte[] row = ProfileRowKey.of(buckets, "card-ü-42");
        assertThat(ProfileRowKey.bucketOf(row)).isEqualTo(buckets.bucketOf("card-ü-42"));
        assertThat(ProfileRowKey.keyOf(row)).isEqualTo("card-ü-42");
        assertThat(ProfileRowKey.of(65535, "k")).startsWith((byte) 0xFF, (byte) 0xFF);
    }

    @Test
    void rowsSortByBucketThenKey() {
        List<byte[]> rows = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            rows.add(ProfileRowKey.of(buckets, "acct-" + i));
        }
        rows.sort(Bytes.BYTES_COMPARATOR);
        for (int i = 1; i < rows.size(); i++) {
            int previous = ProfileRowKey.bucketOf(rows.get(i - 1));
            int current = ProfileRowKey.bucketOf(rows.get(i));
            assertThat(current).isGreaterThanOrEqualTo(previous);
            if (current == previous) {
                assertThat(ProfileRowKey.keyOf(rows.get(i))).isGreaterThan(ProfileRowKey.keyOf(rows.get(i - 1)));
            }
        }
        // Unsigned order: bucket 256 (0x0100) sorts after bucket 255 (0x00FF), 40000 after 30000.
        assertThat(Bytes.compareTo(ProfileRowKey.prefix(256), ProfileRowKey.prefix(255))).isPositive();
        assertThat(Bytes.compareTo(ProfileRowKey.prefix(40000), ProfileRowKey.prefix(30000))).isPositive();
    }

    @Test
    void everyRowOfABucketLiesInItsRange() {
        for (int i = 0; i < 500; i++) {
            byte[] row = ProfileRowKey.of(buckets, "k" + i);
            int bucket = ProfileRowKey.bucketOf(row);
            assertThat(Bytes.compareTo(row, ProfileRowKey.prefix(bucket))).isGreaterThanOrEqualTo(0);
            assertThat(Bytes.compareTo(row, ProfileRowKey.stopRow(bucket))).isNegative();
        }
        assertThat(ProfileRowKey.stopRow(65535)).isEmpty();
    }

    @Test
    void mergesAdjacentBucketsIntoOneRange() {
        List<byte[][]> ranges = ProfileRowKey.ranges(new int[] {7, 3, 4, 5, 9, 4});
        assertThat(ranges).hasSize(3);
        assertThat(ranges).extracting(r -> ProfileRowKey.bucketOf(r[0]) + "-" + (ProfileRowKey.bucketOf(r[1]) - 1))
                .containsExactly("3-5", "7-7", "9-9");
        assertThat(ranges.stream().map(r -> ProfileRowKey.bucketOf(r[0])).sorted(Comparator.naturalOrder()).toList())
                .containsExactly(3, 7, 9);
    }

    @Test
    void splitKeysFallOnBucketBoundaries() {
        byte[][] splits = ProfileTables.splitKeys(buckets, 16);
        assertThat(splits.length).isEqualTo(15);
        assertThat(ProfileRowKey.bucketOf(splits[0])).isEqualTo(27720 / 16);
        assertThat(List.of(splits)).allSatisfy(s -> assertThat(s).hasSize(2));
    }
}
