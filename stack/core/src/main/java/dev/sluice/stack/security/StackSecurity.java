package dev.sluice.stack.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The security material of a secured local stack, under {@code <work>/security}: a local CA, the
 * key stores of the Kafka broker and the Solr node, a client certificate for each Kafka user and
 * one for Solr clients (both servers require one: mutual TLS), one trust store for every client,
 * and a private {@code secrets/} directory with one file per password. Client configuration that points
 * at it is written to the stack's {@code client-conf/} directory; those files name the secrets,
 * they never contain them.
 *
 * <p>Users created at start: Kafka (SCRAM-SHA-512) {@value #KAFKA_ADMIN} (super user, for the
 * tools), {@value #KAFKA_APP} (the partitioned consumer) and {@value #KAFKA_FLUME} (the Flume
 * agents), the last two without any right until ACLs grant them some; Solr (basic
 * authentication) {@value #SOLR_USER}.
 */
public final class StackSecurity {

    public static final String KAFKA_ADMIN = "admin";
    public static final String KAFKA_APP = "sluice";
    public static final String KAFKA_FLUME = "flume";
    public static final List<String> KAFKA_USERS = List.of(KAFKA_ADMIN, KAFKA_APP, KAFKA_FLUME);
    public static final String SOLR_USER = "sluice";
    /** The broker certificate's subject: the principal of the controller connection (mutual TLS). */
    public static final String BROKER_CN = "sluice-kafka-broker";
    public static final String TRUSTSTORE_PASSWORD = "truststore.password";
    public static final String KAFKA_KEYSTORE_PASSWORD = "kafka-broker.keystore.password";
    public static final String SOLR_KEYSTORE_PASSWORD = "solr-node.keystore.password";
    public static final String SOLR_PASSWORD = "solr-" + SOLR_USER + ".password";
    public static final String SOLR_CLIENT_KEYSTORE_PASSWORD = "solr-client.keystore.password";
    private static final Duration CLIENT_VALIDITY = Duration.ofDays(397);

    private static final Duration SERVER_VALIDITY = Duration.ofDays(825);

    private final Path dir;
    private final Optional<KerberosSettings> kerberos;

    private StackSecurity(Path dir, Optional<KerberosSettings> kerberos) {
        this.dir = dir;
        this.kerberos = kerberos;
    }

    /** Generates fresh material for the stack in {@code workDir}, replacing any earlier. */
    public static StackSecurity generate(Path workDir, Optional<KerberosSettings> kerberos) {
        StackSecurity security = new StackSecurity(workDir.resolve("security"), kerberos);
        try {
            security.writeMaterial();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the stack's security material to " + security.dir, e);
        }
        return security;
    }

    /** The material a secured stack generated in {@code dir} ({@code <work>/security}), for tools and tests. */
    public static StackSecurity open(Path dir) {
        if (!Files.isDirectory(dir.resolve("secrets"))) {
            throw new IllegalArgumentException("no security material in " + dir + ": the stack was not started with --secure");
        }
        return new StackSecurity(dir, Optional.empty());
    }

    private void writeMaterial() throws IOException {
        Files.createDirectories(dir);
        SecretFiles.privateDirectory(secretsDir());
        LocalCertificateAuthority ca = LocalCertificateAuthority.create("Sluice local stack CA");
        ca.writePem(caPem());
        String trustPassword = newSecret(TRUSTSTORE_PASSWORD);
        ca.writeTrustStore(trustStore(), trustPassword.toCharArray());
        ca.issue(BROKER_CN, SERVER_VALIDITY).writeKeyStore(kafkaKeyStore(), "kafka", newSecret(KAFKA_KEYSTORE_PASSWORD).toCharArray());
        ca.issue("sluice-solr-node", SERVER_VALIDITY).writeKeyStore(solrKeyStore(), "solr", newSecret(SOLR_KEYSTORE_PASSWORD).toCharArray());
        for (String user : KAFKA_USERS) {
            newSecret(kafkaPasswordName(user));
            ca.issue(user, CLIENT_VALIDITY).writeKeyStore(kafkaClientKeyStore(user), user,
                    newSecret(kafkaKeyStorePasswordName(user)).toCharArray());
        }
        newSecret(SOLR_PASSWORD);
        ca.issue("sluice-solr-client", CLIENT_VALIDITY).writeKeyStore(solrClientKeyStore(), "solr-client",
                newSecret(SOLR_CLIENT_KEYSTORE_PASSWORD).toCharArray());
    }

    private String newSecret(String name) throws IOException {
        String password = SecretFiles.newPassword();
        SecretFiles.write(secret(name), password);
        return password;
    }

    public static String kafkaPasswordName(String user) {
        return "kafka-" + user + ".password";
    }

    public static String kafkaKeyStorePasswordName(String user) {
        return "kafka-" + user + ".keystore.password";
    }

    /** The client certificate of a Kafka user (CN=user): the broker requires one from this CA. */
    public Path kafkaClientKeyStore(String user) {
        return dir.resolve("kafka-" + user + ".p12");
    }

    /** The client certificate Sluice's Solr clients present: the node requires one from this CA. */
    public Path solrClientKeyStore() {
        return dir.resolve("solr-client.p12");
    }

    public Path dir() {
        return dir;
    }

    public Optional<KerberosSettings> kerberos() {
        return kerberos;
    }

    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    public Path kafkaKeyStore() {
        return dir.resolve("kafka-broker.p12");
    }

    public Path solrKeyStore() {
        return dir.resolve("solr-node.p12");
    }

    public Path secretsDir() {
        return dir.resolve("secrets");
    }

    public Path secret(String name) {
        return secretsDir().resolve(name);
    }

    /** The value of one secret, for the processes that must hold it (the broker, the Solr node). */
    public String readSecret(String name) {
        try {
            return Files.readString(secret(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret " + secret(name), e);
        }
    }

    /** {@code ${secrets:<dir>:<name>}}: a reference Kafka's {@code DirectoryConfigProvider} resolves. */
    public String kafkaSecretReference(String name) {
        return "${secrets:" + secretsDir() + ":" + name + "}";
    }

    /**
     * Kafka client settings for {@code user} over SASL_SSL with SCRAM-SHA-512: the secrets as
     * config-provider references, so the map can be printed or written anywhere.
     */
    public Map<String, String> kafkaClientSettings(String user) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechanism", "SCRAM-SHA-512");
        settings.put("config.providers", "secrets");
        settings.put("config.providers.secrets.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("ssl.truststore.location", trustStore().toString());
        settings.put("ssl.truststore.password", kafkaSecretReference(TRUSTSTORE_PASSWORD));
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.location", kafkaClientKeyStore(user).toString());
        settings.put("ssl.keystore.password", kafkaSecretReference(kafkaKeyStorePasswordName(user)));
        settings.put("ssl.key.password", kafkaSecretReference(kafkaKeyStorePasswordName(user)));
        settings.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + kafkaSecretReference(kafkaPasswordName(user)) + "\";");
        return settings;
    }

    /** Sluice's Solr client settings ({@code dev.sluice.common.security.SolrClientSecurity} keys). */
    public Map<String, String> solrClientSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("auth.username", SOLR_USER);
        settings.put("auth.password", "file:" + secret(SOLR_PASSWORD));
        settings.put("ssl.truststore.location", trustStore().toString());
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("ssl.truststore.password", "file:" + secret(TRUSTSTORE_PASSWORD));
        settings.put("ssl.keystore.location", solrClientKeyStore().toString());
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.password", "file:" + secret(SOLR_CLIENT_KEYSTORE_PASSWORD));
        return settings;
    }

    /**
     * Writes {@code kafka-<user>.properties} for every Kafka user and {@code solr-client.properties}
     * into {@code clientConfDir}.
     *
     * @return the files by name: {@code kafka.<user>} and {@code solr}
     */
    public Map<String, Path> writeClientConf(Path clientConfDir) {
        Map<String, Path> files = new LinkedHashMap<>();
        try {
            Files.createDirectories(clientConfDir);
            for (String user : KAFKA_USERS) {
                Path file = clientConfDir.resolve("kafka-" + user + ".properties");
                writeProperties(file, "Kafka client settings for user '" + user + "' (secrets are read from " + secretsDir() + ")",
                        kafkaClientSettings(user));
                files.put("kafka." + user, file);
            }
            Path solr = clientConfDir.resolve("solr-client.properties");
            writeProperties(solr, "Solr client settings for Sluice commands (--solr-config)", solrClientSettings());
            files.put("solr", solr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write client configuration to " + clientConfDir, e);
        }
        return files;
    }

    /** Writes settings as a properties file, one per line, values as they are (readable for people). */
    private static void writeProperties(Path file, String comment, Map<String, String> settings) throws IOException {
        String body = settings.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().replace("\\", "\\\\"))
                .collect(Collectors.joining("\n", "# " + comment + "\n", "\n"));
        Files.writeString(file, body, StandardCharsets.UTF_8);
    }
}
