package dev.sluice.common.kafka;

import dev.sluice.common.bucket.Buckets;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs in a separate surefire execution whose classpath holds kafka-clients 2.7.2 (the version
 * Flume 1.11 ships) instead of 4.x: the partitioner compiled against 4.x must load and route there,
 * and agree with 2.7's own default partitioner. (A real Flume agent using it is an integration test.)
 */
class BucketPartitionerKafka27CompatTest {

    private static final String TOPIC = "events.raw";

    @Test
    void runsOnTheKafkaClientsThatFlumeShips() {
        assertThat(AppInfoParser.getVersion()).isEqualTo(System.getProperty("expected.kafka.clients.version", "2.7.2"));
    }

    @Test
    void routesLikeKafka27DefaultPartitionerForAlignedPartitionCounts() throws Exception {
        // DefaultPartitioner is gone from 4.x: load it by name so this class compiles against 4.x.
        Partitioner kafkaDefault = (Partitioner) Class
                .forName("org.apache.kafka.clients.producer.internals.DefaultPartitioner")
                .getDeclaredConstructor().newInstance();
        kafkaDefault.configure(Map.of());
        BucketPartitioner sluice = new BucketPartitioner();
        sluice.configure(Map.of("client.id", "compat"));
        try {
            for (int partitions : new int[] {1, 3, 6, 8, 12}) {
                Cluster cluster = ClusterFixtures.clusterWithTopic(TOPIC, partitions);
                for (int i = 0; i < 2_000; i++) {
                    String key = "acct-" + i;
                    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
                    int expected = kafkaDefault.partition(TOPIC, key, keyBytes, null, null, cluster);
                    assertThat(sluice.partition(TOPIC, key, keyBytes, null, null, cluster))
                            .as("key %s at %d partitions", key, partitions)
                            .isEqualTo(expected)
                            .isEqualTo(Buckets.defaults().partitionOfKey(keyBytes, partitions));
                }
            }
        } finally {
            sluice.close();
            kafkaDefault.close();
        }
    }

    @Test
    void failsKeylessRecordsOnKafka27Too() {
        BucketPartitioner sluice = new BucketPartitioner();
        sluice.configure(Map.of());
        try {
            assertThatThrownBy(() -> sluice.partition(TOPIC, null, null, null, null, ClusterFixtures.clusterWithTopic(TOPIC, 2)))
                    .isInstanceOf(KeylessRecordException.class);
            assertThat(sluice.keylessRecordsTotal()).isEqualTo(1);
        } finally {
            sluice.close();
        }
    }
}
