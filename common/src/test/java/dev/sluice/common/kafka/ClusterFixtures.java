package dev.sluice.common.kafka;

import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Cluster metadata built only from constructors that kafka-clients 2.7 and 4.x both have. */
final class ClusterFixtures {

    private ClusterFixtures() {
    }

    static Cluster clusterWithTopic(String topic, int partitions) {
        Node node = new Node(1, "127.0.0.1", 9092);
        List<PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            infos.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
        }
        return new Cluster("test-cluster", List.of(node), infos, Collections.emptySet(), Collections.emptySet());
    }
}
