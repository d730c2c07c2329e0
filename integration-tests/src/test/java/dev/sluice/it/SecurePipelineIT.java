package dev.sluice.it;

import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.common.security.SettingsFile;
import dev.sluice.common.security.Secrets;
import dev.sluice.common.security.SolrClientSecurity;
import dev.sluice.consumer.ConsumerAcls;
import dev.sluice.consumer.ConsumerSettings;
import dev.sluice.consumer.MissingPermissionException;
import dev.sluice.consumer.PartitionedConsumer;
import dev.sluice.flumeconf.FlumeSecurity;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.solr.SolrClients;
import dev.sluice.solr.SolrCollections;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.security.LocalCertificateAuthority;
import dev.sluice.stack.security.SecretFiles;
import dev.sluice.stack.security.StackSecurity;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The pipeline on the secured stack ({@code LocalStack.builder().secure(true)}, what
 * {@code sluice stack up --secure} runs): Kafka on SASL_SSL with SCRAM users and ACLs enforced, Solr
 * on HTTPS with basic authentication. The shipped tier-1 and tier-2 agents run as Kafka user
 * {@code flume} with the settings {@link FlumeSecurity} adds, two consumers as user {@code sluice}
 * with exactly the ACLs {@code sluice consumer acls --apply} grants.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurePipelineIT {

    private static final int PARTITIONS = 6;
    private static final int TRANSACTIONS = 1500;
    private static final Instant BASE_TIME = Instant.parse("2026-03-01T00:00:00Z");
    private static final EventCodec CODEC = new EventCodec();

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static StackSecurity security;
    private static Map<String, Object> admin;
    private static SolrClientSecurity solrSecurity;
    private static Connection hbase;
    private static CloudSolrClient solr;
    private static FlumeAgent tier1;
    private static final Map<String, FlumeAgent> tier2 = new LinkedHashMap<>();
    private static final List<ConsumerInstance> consumers = new ArrayList<>();
    private static int httpPort;
    private static Path consumerSettings;
    /** Everything the CLI printed in this test: searched for passwords at the end. */
    private static final StringBuilder cliOutput = new StringBuilder();
    /** Passwords made up by the tests themselves (extra Kafka users). */
    private static final Set<String> testPasswords = new HashSet<>();

    @BeforeAll
    static void startTheSecuredPipeline() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "secure-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).secure(true)
                .services(Service.ZOOKEEPER, Service.KAFKA, Service.HBASE, Service.SOLR, Service.HDFS).stopOnExit(true).build();
        endpoints = stack.start();
        security = StackSecurity.open(Path.of(endpoints.require(StackEndpoints.SECURITY_DIR)));
        admin = kafkaSettings(StackSecurity.KAFKA_ADMIN);

        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(admin)) {
            kafka.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1),
                    new NewTopic("events.enriched", PARTITIONS, (short) 1), new NewTopic("alerts", PARTITIONS, (short) 1),
                    new NewTopic("events.dlq", PARTITIONS, (short) 1).configs(Map.of("max.message.bytes", String.valueOf(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES))),
                    new NewTopic("sluice-enrich.windows-changelog", PARTITIONS, (short) 1)
                            .configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(60, TimeUnit.SECONDS);
            ProfileUpdates.ensureTopic(kafka, ProfileUpdates.DEFAULT_TOPIC, PARTITIONS);
            kafka.createAcls(flumeAcls()).all().get(60, TimeUnit.SECONDS);
            ConsumerAcls.awaitEnforced(kafka, flumeAcls(), Duration.ofSeconds(30));
        }
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        hbase = ConnectionFactory.createConnection(conf);
        Transactions.createTablesWithProfiles(hbase);
        solrSecurity = SolrClientSecurity.from(SettingsFile.read(endpoints.solrClientConfig().orElseThrow(), "solr"), "", Secrets.fromProcess());
        solr = SolrClients.cloud(List.of(endpoints.solrUrl()), 60_000, solrSecurity);
        SolrCollections.init(solr, SolrCollections.DEFAULT_COLLECTIONS, 1, 1);

        // The consumer's ACLs, exactly as the CLI grants them.
        CliRun acls = CliRun.of(endpoints.kafkaBootstrapServers(), "consumer", "acls", "--apply",
                "--kafka-config", endpoints.kafkaClientConfig(StackSecurity.KAFKA_ADMIN).orElseThrow().toString());
        cliOutput.append(acls.out()).append(acls.err());
        assertThat(acls.exitCode()).as(acls.err()).isZero();
        assertThat(acls.out()).contains("ALLOW READ on topic 'events.raw'", "ALLOW WRITE on transactional id prefix 'sluice-enrich-'",
                "Granted 9 ACL(s)");

        // The shipped agents, made secure by the settings Sluice adds for the 'flume' user.
        Map<String, String> flumeKafka = SettingsFile.read(endpoints.kafkaClientConfig(StackSecurity.KAFKA_FLUME).orElseThrow(), "flume");
        Map<String, String> solrClient = SettingsFile.read(endpoints.solrClientConfig().orElseThrow(), "solr");
        httpPort = LoopbackPorts.free();
        tier1 = FlumeAgent.startTier1(workDir, endpoints, httpPort, config -> FlumeSecurity.secure(config, "tier1", flumeKafka, Map.of()));

        Path rules = Files.writeString(workDir.resolve("rules.yaml"), Transactions.RULES);
        consumerSettings = workDir.resolve("consumer.properties");
        List<String> lines = new ArrayList<>(List.of(
                "bootstrap.servers=" + endpoints.kafkaBootstrapServers(),
                "hbase.zookeeper.quorum=" + endpoints.hbaseClientSettings().get("hbase.zookeeper.quorum"),
                "zookeeper.znode.parent=" + endpoints.hbaseClientSettings().get("zookeeper.znode.parent"),
                "rules.file=" + rules,
                "hbase.client.retries.number=3"));
        kafkaSettings(StackSecurity.KAFKA_APP).forEach((k, v) -> lines.add("kafka.common." + k + "=" + v.toString().replace("\\", "\\\\")));
        Files.write(consumerSettings, lines, StandardCharsets.UTF_8);
        for (String id : List.of("c1", "c2")) {
            consumers.add(ConsumerInstance.start(workDir.resolve("consumers"), id, consumerSettings, Map.of()));
        }
        for (String id : List.of("tier2-a", "tier2-b")) {
            tier2.put(id, FlumeAgent.startTier2(workDir.resolve(id), id, endpoints,
                    config -> FlumeSecurity.secure(config, "tier2", flumeKafka, solrClient)));
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        tier2.values().forEach(FlumeAgent::close);
        for (ConsumerInstance consumer : consumers) {
            consumer.close();
        }
        if (tier1 != null) {
            tier1.close();
        }
        if (solr != null) {
            solr.close();
        }
        if (hbase != null) {
            hbase.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void everyTransactionIsEnrichedAndLandedInHBaseSolrAndHdfsOverSecuredConnections() throws Exception {
        List<Transactions.Transaction> transactions = Transactions.generate("secure", TRANSACTIONS, BASE_TIME);
        for (int from = 0; from < transactions.size(); from += 500) {
            String body = transactions.subList(from, Math.min(transactions.size(), from + 500)).stream()
                    .map(Transactions.Transaction::json).collect(Collectors.joining("\n"));
            Pipes.post(httpPort, body.getBytes(StandardCharsets.UTF_8), tier1);
        }
        Set<String> ids = transactions.stream().map(Transactions.Transaction::id).collect(Collectors.toSet());
        Transactions.Expected expected = Transactions.oracle(transactions);

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(consumers).allSatisfy(c -> assertThat(c.alive()).as("consumer %s alive; log:%n%s", c.id(), c.log()).isTrue());
            assertThat(idCounts("events.enriched").keySet()).as("enriched (read_committed)").isEqualTo(ids);
        });
        assertThat(idCounts("events.enriched").values()).as("each event enriched once").allMatch(n -> n == 1);
        Set<String> alertIds = readAll("alerts").stream().map(r -> alertId(new String(r.value(), StandardCharsets.UTF_8)))
                .collect(Collectors.toSet());
        assertThat(alertIds).as("alerts, as the independent oracle computes them").isEqualTo(expected.alertIds());

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            solr.commit(SolrCollections.EVENTS);
            solr.commit(SolrCollections.ALERTS);
            assertThat(solr.query(SolrCollections.EVENTS, new SolrQuery("*:*").setRows(0)).getResults().getNumFound())
                    .as("events in Solr (HTTPS, basic auth)").isEqualTo(TRANSACTIONS);
            assertThat(solr.query(SolrCollections.ALERTS, new SolrQuery("*:*").setRows(0)).getResults().getNumFound())
                    .as("alerts in Solr").isEqualTo(expected.alertIds().size());
            assertThat(hbaseRows(ProfileTables.DEFAULT_EVENTS_TABLE)).as("rows in the HBase events table").isEqualTo(TRANSACTIONS);
        });
        Pipes.awaitEveryIdInHdfs(endpoints.hdfsHttpUrl(), "/sluice/events.enriched", ids, Duration.ofMinutes(3));
        for (FlumeAgent agent : tier2.values()) {
            assertThat(Files.readString(agent.log())).as("%s", agent.log()).doesNotContain("SaslAuthenticationException",
                    "SslAuthenticationException", "TopicAuthorizationException", "GroupAuthorizationException");
        }
    }

    @Test
    @Order(2)
    void kafkaRefusesNoCredentialsWrongPasswordsAndCertificatesOfAnotherCa() throws Exception {
        Path other = anotherCa(workDir.resolve("other-ca"));

        Map<String, Object> plaintext = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        assertThatThrownBy(() -> describeCluster(plaintext)).as("a PLAINTEXT client").isInstanceOf(ExecutionException.class);

        Map<String, Object> tlsOnly = new HashMap<>(admin);
        tlsOnly.put("security.protocol", "SSL");
        tlsOnly.remove("sasl.jaas.config");
        tlsOnly.remove("sasl.mechanism");
        assertThatThrownBy(() -> describeCluster(tlsOnly)).as("TLS without SASL credentials").isInstanceOf(ExecutionException.class);

        Map<String, Object> wrongPassword = new HashMap<>(admin);
        wrongPassword.put("sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"not-the-password\";");
        assertThatThrownBy(() -> describeCluster(wrongPassword)).as("a wrong password")
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);

        Map<String, Object> foreignCertificate = new HashMap<>(admin);
        foreignCertificate.put("ssl.keystore.location", other.resolve("intruder.p12").toString());
        foreignCertificate.put("ssl.keystore.password", "changeit");
        foreignCertificate.put("ssl.key.password", "changeit");
        assertThatThrownBy(() -> describeCluster(foreignCertificate)).as("a client certificate from another CA, right password")
                .hasCauseInstanceOf(SslAuthenticationException.class);

        Map<String, Object> noCertificate = new HashMap<>(admin);
        noCertificate.remove("ssl.keystore.location");
        noCertificate.remove("ssl.keystore.password");
        noCertificate.remove("ssl.key.password");
        assertThatThrownBy(() -> describeCluster(noCertificate)).as("no client certificate (mutual TLS), right password")
                .hasCauseInstanceOf(SslAuthenticationException.class);

        Map<String, Object> trustsOtherCa = new HashMap<>(admin);
        trustsOtherCa.put("ssl.truststore.location", other.resolve("truststore.p12").toString());
        trustsOtherCa.put("ssl.truststore.password", "changeit");
        assertThatThrownBy(() -> describeCluster(trustsOtherCa)).as("a client that trusts another CA refuses the broker")
                .hasCauseInstanceOf(SslAuthenticationException.class);

        assertThat(describeCluster(admin)).as("the right credentials").isEqualTo(1);
    }

    @Test
    @Order(3)
    void solrRefusesNoCredentialsWrongPasswordsAndCertificatesOfAnotherCa() throws Exception {
        Path other = anotherCa(workDir.resolve("other-ca-solr"));
        String url = endpoints.solrUrl() + "/admin/collections?action=LIST&wt=json";
        SSLContext trusting = solrSecurity.sslContext();
        String password = solrSecurity.password().orElseThrow();

        assertThat(get(url, trusting, null)).as("no credentials").isEqualTo(401);
        assertThat(get(url, trusting, basic("sluice", "not-the-password"))).as("wrong password").isEqualTo(401);
        assertThat(get(url, trusting, basic("nobody", password))).as("unknown user").isEqualTo(401);
        assertThat(get(url, trusting, basic("sluice", password))).as("the right credentials").isEqualTo(200);

        SolrClientSecurity withoutCertificate = SolrClientSecurity.from(Map.of(
                "ssl.truststore.location", security.trustStore().toString(),
                "ssl.truststore.password", "file:" + security.secret(StackSecurity.TRUSTSTORE_PASSWORD)), "", Secrets.fromProcess());
        assertThatThrownBy(() -> get(url, withoutCertificate.sslContext(), basic("sluice", password)))
                .as("no client certificate (mutual TLS), right password").isInstanceOf(IOException.class);

        SolrClientSecurity withForeignCertificate = SolrClientSecurity.from(Map.of(
                "ssl.truststore.location", security.trustStore().toString(),
                "ssl.truststore.password", "file:" + security.secret(StackSecurity.TRUSTSTORE_PASSWORD),
                "ssl.keystore.location", other.resolve("intruder.p12").toString(),
                "ssl.keystore.password", "env:INTRUDER_PASSWORD"), "", Secrets.withEnvironment(Map.of("INTRUDER_PASSWORD", "changeit")));
        assertThatThrownBy(() -> get(url, withForeignCertificate.sslContext(), basic("sluice", password)))
                .as("a client certificate from another CA, right password").isInstanceOf(IOException.class);

        SolrClientSecurity trustingOtherCa = SolrClientSecurity.from(Map.of(
                "ssl.truststore.location", other.resolve("truststore.p12").toString(),
                "ssl.truststore.password", "env:OTHER"), "", Secrets.withEnvironment(Map.of("OTHER", "changeit")));
        assertThatThrownBy(() -> get(url, trustingOtherCa.sslContext(), basic("sluice", password)))
                .as("a client that trusts another CA refuses Solr").isInstanceOf(SSLHandshakeException.class);

        // Sluice's own client (the sink's) with a wrong password is refused too (SolrJ reports it as a failed cluster-state fetch).
        Path wrong = workDir.resolve("wrong-solr-password");
        SecretFiles.write(wrong, "not-the-password");
        Map<String, String> wrongSettings = new HashMap<>(SettingsFile.read(endpoints.solrClientConfig().orElseThrow(), "solr"));
        wrongSettings.put("auth.password", "file:" + wrong);
        SolrClientSecurity wrongPassword = SolrClientSecurity.from(wrongSettings, "", Secrets.fromProcess());
        try (CloudSolrClient client = SolrClients.cloud(List.of(endpoints.solrUrl()), 10_000, wrongPassword)) {
            assertThatThrownBy(() -> client.query(SolrCollections.EVENTS, new SolrQuery("*:*")))
                    .isInstanceOf(org.apache.solr.common.SolrException.class);
        }
    }

    /**
     * Each right of the documented set is needed: a consumer with all but one is refused, stops
     * (no endless rewind), and names the missing right. Every probe is its own Kafka user and group
     * with its own output topics, so the running pipeline is untouched.
     */
    @Test
    @Order(4)
    void theConsumerNeedsEveryDocumentedAclAndNamesTheOneThatIsMissing() throws Exception {
        sendProbeTraffic();
        List<ConsumerAcls.Right> all = ConsumerAcls.required(probeSettings("probe-template", "unused"));
        assertThat(all).hasSize(9);
        for (int missing = 0; missing < all.size(); missing++) {
            String user = "probe-" + missing;
            ConsumerSettings settings = probeSettings(user, probePassword(user));
            List<ConsumerAcls.Right> rights = ConsumerAcls.required(settings);
            ConsumerAcls.Right withheld = rights.get(missing);
            try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(admin)) {
                createProbeTopics(kafka, settings);
                if (withheld.operation() == AclOperation.READ && withheld.name().equals(settings.topics().changelog())) {
                    seedChangelog(settings); // reading it back is what needs the right: give the restore something to read
                }
                List<AclBinding> granted = rights.stream().filter(r -> r != withheld).map(r -> r.binding("User:" + user)).toList();
                kafka.createAcls(granted).all().get(60, TimeUnit.SECONDS);
                ConsumerAcls.awaitEnforced(kafka, granted, Duration.ofSeconds(30));
            }
            Throwable failure = runUntilFailure(settings, Duration.ofSeconds(90));
            assertThat(failure).as("consumer without %s", withheld).isInstanceOf(MissingPermissionException.class);
            assertThat(failure.getMessage()).as("names the missing right").contains("missing permission " + withheld, "User:" + user);
        }
    }

    /** The operator's tools find the secured stack's client settings themselves (or take --kafka-config/--solr-config). */
    @Test
    @Order(5)
    void theReplayProfileAndSolrToolsConnectSecurely() throws Exception {
        String stackDir = workDir.resolve("stack").toString();
        Path profiles = Files.writeString(workDir.resolve("new-profiles.csv"),
                "card_id,holder_name,segment,home_country,credit_limit,vip\ncard-new-1,New One,gold,FR,900.0,true\n"
                        + "card-new-2,New Two,basic,DE,500.0,false\n");
        long updatesBefore = readAll(ProfileUpdates.DEFAULT_TOPIC).size();
        CliRun load = CliRun.of(endpoints.kafkaBootstrapServers(), "profiles", "load", profiles.toString(), "--no-progress",
                "--work-dir", stackDir);
        cliOutput.append(load.out()).append(load.err());
        assertThat(load.exitCode()).as(load.err()).isZero();
        List<ConsumerRecord<String, byte[]>> updates = readAll(ProfileUpdates.DEFAULT_TOPIC);
        assertThat(updates).as("updates published over SASL_SSL").hasSize((int) updatesBefore + 2);
        assertThat(updates.subList(updates.size() - 2, updates.size())).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder("card-new-1", "card-new-2");

        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(admin)) {
            kafka.createTopics(List.of(new NewTopic("card-1.copy", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        long card1 = readAll("events.enriched").stream().filter(r -> "card-1".equals(r.key())).count();
        CliRun copy = CliRun.of(endpoints.kafkaBootstrapServers(), "replay", "copy", "--from", "events.enriched", "--to", "card-1.copy",
                "--key", "card-1", "--no-progress", "--work-dir", stackDir);
        cliOutput.append(copy.out()).append(copy.err());
        assertThat(copy.exitCode()).as(copy.err()).isZero();
        assertThat(readAll("card-1.copy")).hasSize((int) card1);

        CliRun count = CliRun.of(endpoints.kafkaBootstrapServers(), "solr", "count", "--work-dir", stackDir);
        cliOutput.append(count.out()).append(count.err());
        assertThat(count.exitCode()).as(count.err()).isZero();
        solr.commit(SolrCollections.EVENTS);
        long indexed = solr.query(SolrCollections.EVENTS, new SolrQuery("*:*").setRows(0)).getResults().getNumFound();
        assertThat(Long.parseLong(count.out().trim())).as("what 'sluice solr count' found over HTTPS").isEqualTo(indexed)
                .isGreaterThanOrEqualTo(TRANSACTIONS);

        CliRun init = CliRun.of(endpoints.kafkaBootstrapServers(), "solr", "init", "--work-dir", stackDir);
        cliOutput.append(init.out()).append(init.err());
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(init.out()).as("idempotent over HTTPS").contains("collection events: reloaded", "collection alerts: reloaded");

        // A Flume agent whose Kafka settings name a missing store is not started: the setting is named.
        Path badKafka = Files.writeString(workDir.resolve("bad-kafka.properties"), "security.protocol=SASL_SSL\n"
                + "ssl.truststore.location=" + workDir.resolve("no-such-truststore.p12") + "\nssl.truststore.password=x\n");
        CliRun flume = CliRun.withoutEndpoints("flume", "run", FlumeAgent.confDir().resolve("flume/tier1.properties").toString(),
                "--name", "tier1", "--kafka-config", badKafka.toString(), "--work-dir", stackDir);
        cliOutput.append(flume.out()).append(flume.err());
        assertThat(flume.exitCode()).isNotZero();
        assertThat(flume.err()).contains("ssl.truststore.location").contains("no store at");

        // Without the stack's settings (an explicit Solr URL, no --solr-config) the command cannot connect: no trust, no credentials.
        CliRun anonymous = CliRun.of(endpoints.kafkaBootstrapServers(), "solr", "count", "--solr-url", endpoints.solrUrl(),
                "--work-dir", workDir.resolve("nowhere").toString());
        cliOutput.append(anonymous.out()).append(anonymous.err());
        assertThat(anonymous.exitCode()).isNotZero();
    }

    @Test
    @Order(6)
    void badStoreSettingsStopTheConsumerAtStartNamingTheSetting() throws Exception {
        Map<String, String> base = ConsumerSettings.read(consumerSettings);

        Map<String, String> missingStore = new LinkedHashMap<>(base);
        missingStore.put("kafka.common.ssl.truststore.location", workDir.resolve("no-such-truststore.p12").toString());
        assertThatThrownBy(() -> PartitionedConsumer.start(ConsumerSettings.from(missingStore)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'kafka.common.ssl.truststore.location'")
                .hasMessageContaining("no store at");

        Path wrongPassword = workDir.resolve("wrong-secrets");
        SecretFiles.privateDirectory(wrongPassword);
        SecretFiles.write(wrongPassword.resolve(StackSecurity.TRUSTSTORE_PASSWORD), "not-the-password");
        Map<String, String> badPassword = new LinkedHashMap<>(base);
        badPassword.put("kafka.common.ssl.truststore.password", "${secrets:" + wrongPassword + ":" + StackSecurity.TRUSTSTORE_PASSWORD + "}");
        assertThatThrownBy(() -> PartitionedConsumer.start(ConsumerSettings.from(badPassword)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'kafka.common.ssl.truststore.password'")
                .hasMessageContaining("wrong password");

        LocalCertificateAuthority ca = LocalCertificateAuthority.create("Expired client CA");
        Path expired = workDir.resolve("expired.p12");
        ca.issue("old-client", Instant.now().minus(Duration.ofDays(400)), Duration.ofDays(365))
                .writeKeyStore(expired, "old", "changeit".toCharArray());
        Map<String, String> expiredCertificate = new LinkedHashMap<>(base);
        expiredCertificate.put("kafka.common.ssl.keystore.location", expired.toString());
        expiredCertificate.put("kafka.common.ssl.keystore.password", "changeit");
        assertThatThrownBy(() -> PartitionedConsumer.start(ConsumerSettings.from(expiredCertificate)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'kafka.common.ssl.keystore.location'")
                .hasMessageContaining("CN=old-client").hasMessageContaining("expired on");

        // The same through the CLI: exit 2 and the setting named, no stack trace.
        // The consumer reports on the process's standard error, as 'sluice consumer run' is used from a shell.
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        CliRun run;
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run = CliRun.of(endpoints.kafkaBootstrapServers(), "consumer", "run", "--config", consumerSettings.toString(),
                    "--set", "kafka.common.ssl.truststore.location=" + workDir.resolve("no-such-truststore.p12"));
        } finally {
            System.setErr(stderr);
        }
        String err = run.err() + captured.toString(StandardCharsets.UTF_8);
        cliOutput.append(run.out()).append(err);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(err).contains("kafka.common.ssl.truststore.location").doesNotContain("\tat ");
    }

    /** Last: every log, configuration file and output of the run, and every process's command line. */
    @Test
    @Order(7)
    void noPasswordAppearsInAnyLogOutputOrCommandLine() throws Exception {
        Set<String> passwords = new HashSet<>(testPasswords);
        try (Stream<Path> secrets = Files.list(security.secretsDir())) {
            for (Path secret : secrets.toList()) {
                passwords.add(Files.readString(secret).strip());
            }
        }
        assertThat(passwords).hasSizeGreaterThanOrEqualTo(StackSecurity.KAFKA_USERS.size() + 4);

        List<Path> searched = new ArrayList<>();
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (file.startsWith(security.secretsDir()) || file.toString().endsWith(".p12") || file.startsWith(workDir.resolve("wrong-secrets"))
                        || file.startsWith(workDir.resolve("probe-secrets"))
                        || file.equals(workDir.resolve("wrong-solr-password")) || file.toString().contains("/data/") || Files.size(file) > 64 << 20) {
                    continue; // the secrets themselves, key stores (binary), and the services' data files
                }
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String password : passwords) {
                    assertThat(text).as("%s must not contain a password", file).doesNotContain(password);
                }
                searched.add(file);
            }
        }
        assertThat(searched).as("logs searched").anyMatch(p -> p.toString().endsWith("kafka.log"))
                .anyMatch(p -> p.toString().endsWith("solr.log")).anyMatch(p -> p.toString().endsWith("agent.log"))
                .anyMatch(p -> p.toString().endsWith("c1.log"));
        for (String password : passwords) {
            assertThat(cliOutput.toString()).as("CLI output").doesNotContain(password);
        }
        List<String> commandLines = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")).toList();
        for (String password : passwords) {
            assertThat(commandLines).as("process command lines").noneMatch(line -> line.contains(password));
        }
        // The stores are protected by the generated passwords, not by a default one.
        assertThat(passwords).doesNotContain("changeit", "password", "secret");
    }

    // ---- helpers ----

    /** A CA that is not the stack's, in {@code dir}: {@code intruder.p12} (a client certificate) and {@code truststore.p12}, both "changeit". */
    private static Path anotherCa(Path dir) {
        LocalCertificateAuthority otherCa = LocalCertificateAuthority.create("Some other CA");
        otherCa.issue("intruder", Duration.ofDays(30)).writeKeyStore(dir.resolve("intruder.p12"), "intruder", "changeit".toCharArray());
        otherCa.writeTrustStore(dir.resolve("truststore.p12"), "changeit".toCharArray());
        return dir;
    }

    /** Kafka client settings of a stack user, as the client will use them (secrets still as references). */
    private static Map<String, Object> kafkaSettings(String user) {
        Map<String, Object> settings = new LinkedHashMap<>(SettingsFile.read(endpoints.kafkaClientConfig(user).orElseThrow(), user));
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        return settings;
    }

    /** The rights of the Flume agents (user flume): tier-1 writes raw events and dead letters, tier-2 reads the results. */
    private static List<AclBinding> flumeAcls() {
        List<AclBinding> acls = new ArrayList<>();
        for (String topic : List.of("events.raw", "events.dlq")) {
            acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
        }
        for (String topic : List.of("events.enriched", "alerts")) {
            acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
        }
        acls.add(allow(ResourceType.GROUP, "sluice-tier2-", PatternType.PREFIXED, AclOperation.READ));
        return acls;
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + StackSecurity.KAFKA_FLUME, "*", operation, AclPermissionType.ALLOW));
    }

    private static int describeCluster(Map<String, Object> config) throws Exception {
        Map<String, Object> all = new HashMap<>(config);
        all.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8000);
        all.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        all.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(all)) {
            return kafka.describeCluster().nodes().get(15, TimeUnit.SECONDS).size();
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Map<String, Object> config = new HashMap<>(admin);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return Pipes.consumeAvailable(config, topic, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static Map<String, Long> idCounts(String topic) {
        return readAll(topic).stream().map(r -> {
            try {
                return CODEC.decode(r.value()).id();
            } catch (MalformedEventException e) {
                throw new AssertionError("not an event in " + topic + ": " + e.getMessage(), e);
            }
        }).collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    private static String alertId(String json) {
        int at = json.indexOf("\"id\":\"") + 6;
        return json.substring(at, json.indexOf('"', at));
    }

    private static long hbaseRows(String table) throws IOException {
        long rows = 0;
        try (Table events = hbase.getTable(TableName.valueOf(table));
             ResultScanner scanner = events.getScanner(new Scan().setFilter(new FirstKeyOnlyFilter()))) {
            for (Result ignored : scanner) {
                rows++;
            }
        }
        return rows;
    }

    private static int get(String url, SSLContext ssl, String authorization) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A few events (one over its card's limit) at the head of events.raw, so probes have work that writes every output. */
    private static void sendProbeTraffic() throws Exception {
        Map<String, Object> config = new HashMap<>(admin);
        config.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (Transactions.Transaction t : Transactions.generate("probe", 50, BASE_TIME)) {
                if (!t.card().startsWith("card-")) {
                    continue;
                }
                String event = "{\"id\":\"" + t.id() + "\",\"key\":\"" + t.card() + "\",\"eventTime\":\"" + t.time()
                        + "\",\"ingestTime\":\"" + t.time() + "\",\"body\":" + t.json() + "}";
                sent.add(producer.send(new ProducerRecord<>("events.raw", t.card(), event)));
            }
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static String probePassword(String user) throws Exception {
        String password = SecretFiles.newPassword();
        testPasswords.add(password);
        Path file = workDir.resolve("probe-secrets").resolve(user + ".password");
        SecretFiles.privateDirectory(file.getParent());
        SecretFiles.write(file, password);
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(admin)) {
            kafka.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(60, TimeUnit.SECONDS);
        }
        return file.toString();
    }

    /** A consumer of its own user, group and output topics, reading events.raw and profiles.updates. */
    private static ConsumerSettings probeSettings(String user, String passwordFile) {
        Map<String, String> values = new LinkedHashMap<>(ConsumerSettings.read(consumerSettings));
        values.put("group.id", user);
        values.put("instance.id", user + "-i");
        values.put("topic.enriched", user + ".enriched");
        values.put("topic.alerts", user + ".alerts");
        values.put("topic.dlq", user + ".dlq");
        // The shipped rules have windowed aggregates, so every batch writes window checkpoints to the changelog.
        values.put("rules.file", FlumeAgent.confDir().resolve("rules/cards.yaml").toAbsolutePath().toString());
        Path file = Path.of(passwordFile);
        values.put("kafka.common.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"${secrets:" + file.getParent() + ":" + file.getFileName() + "}\";");
        return ConsumerSettings.from(values);
    }

    private static void seedChangelog(ConsumerSettings settings) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(admin, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                producer.send(new ProducerRecord<>(settings.topics().changelog(), partition, "card-" + partition, "{}")).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void createProbeTopics(org.apache.kafka.clients.admin.Admin kafka, ConsumerSettings settings) throws Exception {
        ConsumerSettings.Topics topics = settings.topics();
        kafka.createTopics(List.of(new NewTopic(topics.enriched(), PARTITIONS, (short) 1), new NewTopic(topics.alerts(), PARTITIONS, (short) 1),
                new NewTopic(topics.dlq(), PARTITIONS, (short) 1),
                new NewTopic(topics.changelog(), PARTITIONS, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                .all().get(60, TimeUnit.SECONDS);
    }

    /** Starts and runs a consumer in this JVM until it fails; the failure (or an assertion error on timeout). */
    private static Throwable runUntilFailure(ConsumerSettings settings, Duration timeout) throws Exception {
        PartitionedConsumer consumer;
        try {
            consumer = PartitionedConsumer.start(settings);
        } catch (RuntimeException | IOException e) {
            return e;
        }
        Throwable[] failure = new Throwable[1];
        Thread runner = new Thread(() -> {
            try {
                consumer.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "probe-" + settings.groupId());
        try {
            runner.start();
            runner.join(timeout.toMillis());
            if (runner.isAlive()) {
                consumer.stop();
                runner.join(30_000);
                throw new AssertionError("consumer " + settings.groupId() + " was not refused within " + timeout);
            }
            return failure[0];
        } finally {
            consumer.close();
        }
    }
}
