package dev.sluice.common.kafka;

import dev.sluice.common.bucket.Buckets;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs against kafka-clients 4.x; {@link BucketPartitionerKafka27CompatTest} repeats the core cases on 2.7. */
class BucketPartitionerTest {

    private static final String TOPIC = "events.raw";
    private final BucketPartitioner partitioner = new BucketPartitioner();

    @AfterEach
    void close() {
        partitioner.close();
    }

    @Test
    void routesEveryKeyToItsBucketModuloPartitions() {
        partitioner.configure(Map.of(BucketPartitioner.BUCKETS_CONFIG, "27720", "client.id", "routes"));
        Cluster cluster = ClusterFixtures.clusterWithTopic(TOPIC, 12);
        Buckets buckets = Buckets.defaults();
        for (int i = 0; i < 1_000; i++) {
            String key = "card-" + i;
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            assertThat(partitioner.partition(TOPIC, key, keyBytes, "v", new byte[1], cluster))
                    .isEqualTo(buckets.bucketOf(key) % 12);
        }
        assertThat(partitioner.recordsRoutedTotal()).isEqualTo(1_000);
    }

    @Test
    void honoursAConfiguredBucketCount() {
        partitioner.configure(Map.of(BucketPartitioner.BUCKETS_CONFIG, 16));
        assertThat(partitioner.buckets().bucketCount()).isEqualTo(16);
    }

    @Test
    void failsAKeylessRecordByDefaultAndCountsIt() {
        partitioner.configure(Map.of("client.id", "keyless-fail"));
        Cluster cluster = ClusterFixtures.clusterWithTopic(TOPIC, 4);

        assertThatThrownBy(() -> partitioner.partition(TOPIC, null, null, "v", new byte[1], cluster))
                .isInstanceOf(KeylessRecordException.class)
                .hasMessageContaining("has no key")
                .hasMessageContaining(TOPIC);
        assertThat(partitioner.keylessRecordsTotal()).isEqualTo(1);
    }

    @Test
    void sendsKeylessRecordsToTheFirstPartitionWhenConfiguredAndCountsThem() {
        partitioner.configure(Map.of(BucketPartitioner.KEYLESS_POLICY_CONFIG, "first-partition"));
        Cluster cluster = ClusterFixtures.clusterWithTopic(TOPIC, 4);
        for (int i = 0; i < 3; i++) {
            assertThat(partitioner.partition(TOPIC, null, null, "v", new byte[1], cluster)).isZero();
        }
        assertThat(partitioner.keylessRecordsTotal()).isEqualTo(3);
        assertThat(partitioner.recordsRoutedTotal()).isZero();
    }

    @Test
    void exportsCountersOverJmxUntilClosed() throws Exception {
        partitioner.configure(Map.of("client.id", "jmx-client", BucketPartitioner.KEYLESS_POLICY_CONFIG, "first-partition"));
        partitioner.partition(TOPIC, null, null, "v", new byte[1], ClusterFixtures.clusterWithTopic(TOPIC, 2));
        ObjectName name = new ObjectName("dev.sluice:type=bucket-partitioner,client-id=\"jmx-client\"");

        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "KeylessRecordsTotal")).isEqualTo(1L);
        partitioner.close();
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
    }

    @Test
    void rejectsAnInvalidBucketCountNamingTheKey() {
        Map<String, Object> configs = new HashMap<>();
        configs.put(BucketPartitioner.BUCKETS_CONFIG, "70000");
        assertThatThrownBy(() -> partitioner.configure(configs))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(BucketPartitioner.BUCKETS_CONFIG)
                .hasMessageContaining("70000");
        configs.put(BucketPartitioner.BUCKETS_CONFIG, "many");
        assertThatThrownBy(() -> partitioner.configure(configs))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(BucketPartitioner.BUCKETS_CONFIG);
    }

    @Test
    void rejectsAnUnknownKeylessPolicyNamingTheKeyAndTheChoices() {
        assertThatThrownBy(() -> partitioner.configure(Map.of(BucketPartitioner.KEYLESS_POLICY_CONFIG, "round-robin")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(BucketPartitioner.KEYLESS_POLICY_CONFIG)
                .hasMessageContaining("fail, first-partition");
    }
}
