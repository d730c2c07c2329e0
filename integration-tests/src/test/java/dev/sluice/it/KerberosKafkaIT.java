package dev.sluice.it;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.common.security.SettingsFile;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.security.KerberosSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kafka with Kerberos: a real KDC (Apache Kerby's {@link SimpleKdcServer}) in the test JVM, the
 * secured stack's broker with GSSAPI enabled next to SCRAM ({@code LocalStack.Builder.kerberos}),
 * and clients that log in from keytabs, as docs/security.md describes for Sluice's Kafka clients.
 */
class KerberosKafkaIT {

    private static final String REALM = "EXAMPLE.COM";
    private static final String BROKER = "kafka/localhost@" + REALM;

    private static Path workDir;
    private static SimpleKdcServer kdc;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static Path keytabs;

    @BeforeAll
    static void startKdcAndBroker() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kerberos-it-");
        int port = LoopbackPorts.free();
        kdc = new SimpleKdcServer();
        kdc.setWorkDir(Files.createDirectories(workDir.resolve("kdc")).toFile());
        kdc.setKdcRealm(REALM);
        kdc.setKdcHost("localhost");
        kdc.setKdcTcpPort(port);
        kdc.setAllowUdp(false);
        kdc.setAllowTcp(true);
        kdc.init();
        kdc.start();
        keytabs = Files.createDirectories(workDir.resolve("keytabs"));
        kdc.createAndExportPrincipals(keytabs.resolve("kafka.keytab").toFile(), BROKER);
        kdc.createAndExportPrincipals(keytabs.resolve("alice.keytab").toFile(), "alice@" + REALM);
        kdc.createAndExportPrincipals(keytabs.resolve("carol.keytab").toFile(), "carol@" + REALM);
        // TCP only: the JDK would try UDP first, which this KDC does not serve.
        Path krb5 = Files.writeString(workDir.resolve("krb5.conf"), String.join("\n",
                "[libdefaults]",
                "    default_realm = " + REALM,
                "    udp_preference_limit = 1",
                "    dns_lookup_kdc = false",
                "    dns_lookup_realm = false",
                "[realms]",
                "    " + REALM + " = {",
                "        kdc = localhost:" + port,
                "    }", ""));
        System.setProperty("java.security.krb5.conf", krb5.toString());

        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA)
                .kerberos(new KerberosSettings(krb5, keytabs.resolve("kafka.keytab"), BROKER)).stopOnExit(true).build();
        endpoints = stack.start();
        try (Admin admin = Admin.create(admin())) {
            admin.createTopics(List.of(new NewTopic("kerberized", 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
            List<AclBinding> acls = new ArrayList<>();
            for (AclOperation operation : List.of(AclOperation.READ, AclOperation.WRITE)) {
                acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "kerberized", PatternType.LITERAL),
                        new AccessControlEntry("User:alice", "*", operation, AclPermissionType.ALLOW)));
            }
            acls.add(new AclBinding(new ResourcePattern(ResourceType.GROUP, "alice-", PatternType.PREFIXED),
                    new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW)));
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (kdc != null) {
            kdc.stop();
        }
    }

    @Test
    void aKerberosPrincipalFromAKeytabProducesAndConsumesWithinItsAcls() throws Exception {
        Map<String, Object> alice = kerberosClient("alice", keytabs.resolve("alice.keytab"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(alice, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("kerberized", "k", "hello over GSSAPI")).get(60, TimeUnit.SECONDS);
        }
        Map<String, Object> consumerConfig = new HashMap<>(alice);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "alice-readers");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("kerberized"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        assertThat(values).containsExactly("hello over GSSAPI");
    }

    @Test
    void anAuthenticatedPrincipalWithoutAclsIsRefusedAndAnUnknownOneCannotLogIn() {
        Map<String, Object> carol = kerberosClient("carol", keytabs.resolve("carol.keytab"));
        assertThatThrownBy(() -> {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(carol, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("kerberized", "k", "not allowed")).get(60, TimeUnit.SECONDS);
            }
        }).as("authenticated, but no ACL").hasCauseInstanceOf(TopicAuthorizationException.class);

        // A principal the KDC does not know: the login from the keytab fails, no connection is made.
        Map<String, Object> mallory = kerberosClient("mallory", keytabs.resolve("alice.keytab"));
        assertThatThrownBy(() -> new KafkaProducer<>(mallory, new StringSerializer(), new StringSerializer()).close())
                .hasRootCauseInstanceOf(javax.security.auth.login.LoginException.class);
    }

    private static Map<String, Object> admin() {
        Map<String, Object> config = new HashMap<>(SettingsFile.read(endpoints.kafkaClientConfig("admin").orElseThrow(), "admin"));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        return config;
    }

    /** A client that logs in as {@code user@REALM} from a keytab over SASL_SSL (GSSAPI), trusting the stack's CA. */
    private static Map<String, Object> kerberosClient(String user, Path keytab) {
        Map<String, Object> config = admin();
        config.put("sasl.mechanism", "GSSAPI");
        config.put("sasl.kerberos.service.name", "kafka");
        config.put("sasl.jaas.config", "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true"
                + " keyTab=\"" + keytab + "\" principal=\"" + user + "@" + REALM + "\";");
        config.put("max.block.ms", 20_000);
        config.put("delivery.timeout.ms", 30_000);
        config.put("request.timeout.ms", 10_000);
        return config;
    }
}
