package dev.sluice.bench.micro;

import dev.sluice.common.bucket.Buckets;
import org.apache.kafka.common.utils.Utils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The bucket hash and the bucket-aligned partition of a key, next to Kafka's own default
 * partitioning of the same key bytes (murmur2 mod partitions), the floor the partitioner adds to.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BucketBenchmark {

    private static final int PARTITIONS = 12;

    private final Buckets buckets = Buckets.defaults();
    private String[] keys;
    private byte[][] keyBytes;
    private int next;

    @Setup
    public void keys() {
        keys = new String[1024];
        keyBytes = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "card-" + (i * 7919 % 1_000_000);
            keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    @Benchmark
    public int bucketOfStringKey() {
        return buckets.bucketOf(keys[next++ & 1023]);
    }

    @Benchmark
    public int bucketAlignedPartitionOfKeyBytes() {
        return buckets.partitionOfKey(keyBytes[next++ & 1023], PARTITIONS);
    }

    @Benchmark
    public int kafkaDefaultPartitionOfKeyBytes() {
        return Utils.toPositive(Utils.murmur2(keyBytes[next++ & 1023])) % PARTITIONS;
    }
}
