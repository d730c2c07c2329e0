package dev.sluice.stack.internal;

import dev.sluice.common.security.SettingsFile;
import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security) {
        return Map.of(StackEndpoints.KAFKA_BOOTSTRAP, "127.0.0.1:" + ports.get("broker"));
    }

    /** kafka-server-start.sh's heap: -Xmx1G -Xms1G. */
    private static final String HEAP = "1g";

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                             Optional<StackSecurity> security) throws IOException {
        int broker = ports.get("broker");
        int controller = ports.get("controller");
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "controller.listener.names=CONTROLLER",
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
                "socket.receive.buffer.bytes=-1",
                "socket.send.buffer.bytes=-1"));
        List<String> jvmOptions = new ArrayList<>();
        List<String> arguments = new ArrayList<>();
        if (security.isEmpty()) {
            lines.addAll(List.of(
                    "listeners=PLAINTEXT://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + broker,
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"));
        } else {
            lines.addAll(securedListeners(security.get(), broker, controller));
            security.get().kerberos().ifPresent(k -> jvmOptions.add("-Djava.security.krb5.conf=" + k.krb5Conf()));
        }
        lines.add("");
        String properties = String.join("\n", lines);
        Files.writeString(layout.conf().resolve("server.properties"), properties, StandardCharsets.UTF_8);
        String logging = LogConfig.log4j2(layout, List.of("kafka.server.KafkaConfig",
                "org.apache.kafka.common.config.AbstractConfig", "kafka.log.LogManager", "org.apache.kafka.storage"));
        arguments.addAll(List.of(layout.conf().resolve("server.properties").toString(), newClusterId(), layout.data().toString()));
        // SCRAM users are created when the log directory is formatted; the broker reads their passwords from the
        // secrets directory, so no password is ever on a command line.
        security.ifPresent(s -> arguments.add(s.secretsDir() + ":" + String.join(",", StackSecurity.KAFKA_USERS)));
        jvmOptions.add(0, logging);
        jvmOptions.add("-Dkafka.logs.dir=" + layout.home());
        // kafka-server-start.sh's JVM settings: G1 aiming at 20 ms pauses (the JVM's default aim is 200 ms, and one such
        // pause stalls every produce and fetch on the broker), and its GC log beside the server log.
        // Its heap too: a fixed 1 GB. With 384 MB that could grow, G1 kept the young generation at ~60 MB to meet its
        // pause goal, and under 40,000 events/s the broker paused for 10-35 ms two or three times a second, each pause
        // adding to the latency of every event in flight (enrichment benchmark, GC log).
        jvmOptions.addAll(List.of("-Xms" + HEAP, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent",
                "-Xlog:gc*:file=" + layout.home().resolve("kafkaServer-gc.log") + ":time,tags:filecount=10,filesize=100M"));
        return new JvmLaunch("dev.sluice.stack.kafka.KafkaStandalone", arguments, HEAP, jvmOptions, Map.of());
    }

    /**
     * A SASL_SSL listener for clients (mutual TLS: a client certificate from the stack's CA is
     * required, then SCRAM-SHA-512, or GSSAPI with Kerberos settings, names the principal), a controller
     * listener on mutual TLS, and the standard authorizer: nothing is allowed without an ACL
     * except to the super users (the tools' admin and the broker itself).
     */
    private static List<String> securedListeners(StackSecurity security, int broker, int controller) {
        String keyPassword = security.kafkaSecretReference(StackSecurity.KAFKA_KEYSTORE_PASSWORD);
        List<String> mechanisms = new ArrayList<>(List.of("SCRAM-SHA-512"));
        List<String> lines = new ArrayList<>(List.of(
                "listeners=SASL_SSL://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=SASL_SSL://127.0.0.1:" + broker,
                "inter.broker.listener.name=SASL_SSL",
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL",
                "config.providers=secrets",
                "config.providers.secrets.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + security.kafkaKeyStore(),
                "ssl.keystore.password=" + keyPassword,
                "ssl.key.password=" + keyPassword,
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + security.trustStore(),
                "ssl.truststore.password=" + security.kafkaSecretReference(StackSecurity.TRUSTSTORE_PASSWORD),
                "listener.name.sasl_ssl.ssl.client.auth=required",
                "listener.name.controller.ssl.client.auth=required",
                "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"" + StackSecurity.KAFKA_ADMIN + "\" password=\""
                        + security.kafkaSecretReference(StackSecurity.kafkaPasswordName(StackSecurity.KAFKA_ADMIN)) + "\";",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + StackSecurity.KAFKA_ADMIN + ";User:CN=" + StackSecurity.BROKER_CN,
                "allow.everyone.if.no.acl.found=false"));
        security.kerberos().ifPresent(k -> {
            mechanisms.add("GSSAPI");
            lines.add("sasl.kerberos.service.name=" + k.serviceName());
            lines.add("listener.name.sasl_ssl.gssapi.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required"
                    + " useKeyTab=true storeKey=true keyTab=\"" + k.keytab() + "\" principal=\"" + k.principal() + "\";");
        });
        lines.add("sasl.enabled.mechanisms=" + String.join(",", mechanisms));
        return lines;
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
        Map<String, Object> config = new HashMap<>();
        String clientConfig = endpoints.get(StackEndpoints.KAFKA_CLIENT_CONFIG);
        if (clientConfig != null) {
            config.putAll(SettingsFile.read(Path.of(clientConfig), StackEndpoints.KAFKA_CLIENT_CONFIG));
        }
        config.putAll(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
        try (Admin admin = Admin.create(config)) {
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
