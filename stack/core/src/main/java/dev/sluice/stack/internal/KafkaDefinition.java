package dev.sluice.stack.internal;

import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Kafka 4.3 in KRaft mode: one node that is broker and controller. */
public final class KafkaDefinition implements ServiceDefinition {

    @Override
    public Service service() {
        return Service.KAFKA;
    }

    @Override
    public List<String> portNames() {
        return List.of("broker", "controller");
    }

    @Override
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream) {
        return Map.of(StackEndpoints.KAFKA_BOOTSTRAP, "127.0.0.1:" + ports.get("broker"));
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints) throws IOException {
        int broker = ports.get("broker");
        int controller = ports.get("controller");
        String properties = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + broker,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + layout.data(),
                // One broker: every internal topic has replication factor 1.
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // KIP-848 groups: a member that dies (kill -9) loses its partitions after 10 s instead of 45 s,
                // so failover on one machine is quick; static members that restart within it keep them.
                "group.consumer.min.session.timeout.ms=6000",
                "group.consumer.session.timeout.ms=10000",
                "group.consumer.min.heartbeat.interval.ms=1000",
                "group.consumer.heartbeat.interval.ms=2000",
                // Transactions of a dead producer are aborted after this, so read_committed readers move on.
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=5000",
                // Topics are created by Sluice's tooling, as on a production cluster: a typo fails instead of creating a topic.
                "auto.create.topics.enable=false",
                // The cleaner otherwise takes 128 MiB of heap for its dedupe buffer.
                "log.cleaner.dedupe.buffer.size=2097152",
                "");
        Files.writeString(layout.conf().resolve("server.properties"), properties, StandardCharsets.UTF_8);
        String logging = LogConfig.log4j2(layout, List.of("kafka.server.KafkaConfig",
                "org.apache.kafka.common.config.AbstractConfig", "kafka.log.LogManager", "org.apache.kafka.storage"));
        return new JvmLaunch("dev.sluice.stack.kafka.KafkaStandalone",
                List.of(layout.conf().resolve("server.properties").toString(), newClusterId(), layout.data().toString()),
                "384m", List.of(logging, "-Dkafka.logs.dir=" + layout.home()), Map.of());
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'. */
    static String newClusterId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[16];
        String id;
        do {
            random.nextBytes(bytes);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }

    /** Admin describeCluster: the broker answers and knows its controller. */
    @Override
    public String probe(Map<String, String> endpoints) throws Exception {
        String bootstrap = endpoints.get(StackEndpoints.KAFKA_BOOTSTRAP);
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            DescribeClusterResult cluster = admin.describeCluster();
            Collection<Node> nodes = cluster.nodes().get(5, TimeUnit.SECONDS);
            Node controller = cluster.controller().get(5, TimeUnit.SECONDS);
            if (nodes.isEmpty() || controller == null || controller.isEmpty()) {
                throw new IOException("Kafka has no live broker or controller yet");
            }
            return "kafka " + bootstrap + " (" + nodes.size() + " broker, cluster " + cluster.clusterId().get(5, TimeUnit.SECONDS) + ")";
        }
    }
}
