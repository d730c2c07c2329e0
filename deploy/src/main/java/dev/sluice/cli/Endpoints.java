package dev.sluice.cli;

import dev.sluice.common.security.KafkaClientSecurity;
import dev.sluice.common.security.Secrets;
import dev.sluice.common.security.SettingsFile;
import dev.sluice.common.security.SolrClientSecurity;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.StackException;
import dev.sluice.stack.security.StackSecurity;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a command finds Kafka, HBase and Solr: an explicit option, else the environment
 * ({@code SLUICE_KAFKA_BOOTSTRAP}, {@code SLUICE_ZOOKEEPER}, {@code SLUICE_SOLR_URL}, as {@code sluice stack env} prints
 * them), else the local stack's endpoints file. The same for how to connect securely: {@code --kafka-config}
 * and {@code --solr-config}, else the secured local stack's client settings.
 */
final class Endpoints {

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT,...", description = "Kafka bootstrap servers (default: $SLUICE_KAFKA_BOOTSTRAP, else the local stack).")
    String kafkaBootstrap;

    @Option(names = "--zookeeper", paramLabel = "HOST:PORT", description = "HBase's ZooKeeper quorum (default: $SLUICE_ZOOKEEPER, else the local stack).")
    String zookeeper;

    @Option(names = "--solr-url", paramLabel = "URL,...", description = "Solr base URLs, e.g. http://host:8983/solr (default: $SLUICE_SOLR_URL, else the local stack).")
    String solrUrl;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "The local stack's work directory (default: $SLUICE_STACK_DIR, else .sluice/stack).")
    Path workDir;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client settings (security.protocol, sasl.*, ssl.*), as Kafka's --command-config; keep secrets out of it"
                    + " with config providers, e.g. $${dir:/etc/sluice/secrets:kafka.password} (default: the secured local stack's admin"
                    + " settings when talking to that stack, else $SLUICE_KAFKA_CONFIG).")
    Path kafkaConfig;

    @Option(names = "--solr-config", paramLabel = "FILE",
            description = "Solr client settings: auth.username, auth.password=file:PATH|env:NAME, ssl.truststore.location/.password/.type"
                    + " (default: the secured local stack's when talking to that stack, else $SLUICE_SOLR_CONFIG).")
    Path solrConfig;

    private final Map<String, Map<String, Object>> kafkaConfigs = new java.util.HashMap<>();

    String kafkaBootstrap() {
        return first(kafkaBootstrap, System.getenv("SLUICE_KAFKA_BOOTSTRAP"))
                .orElseGet(() -> stack().kafkaBootstrapServers());
    }

    Map<String, String> hbaseSettings() {
        return first(zookeeper, System.getenv("SLUICE_ZOOKEEPER"))
                .map(zk -> Map.of("hbase.zookeeper.quorum", zk, "zookeeper.znode.parent", "/hbase"))
                .orElseGet(() -> stack().hbaseClientSettings());
    }

    java.util.List<String> solrUrls() {
        String urls = first(solrUrl, System.getenv("SLUICE_SOLR_URL")).orElseGet(() -> stack().solrUrl());
        return java.util.Arrays.stream(urls.split(",")).map(String::trim).filter(u -> !u.isEmpty()).toList();
    }

    /**
     * Kafka client settings for a command acting as {@code user}: {@code --kafka-config}, else the
     * local stack's file for that user when the command talks to that stack's Kafka (so a consumer
     * runs as 'sluice' even after {@code eval "$(sluice stack env)"}), else $SLUICE_KAFKA_CONFIG, else
     * none. The stores it names are opened now: a bad one fails naming its setting.
     */
    Map<String, Object> kafkaClientConfig(String user) {
        // Read and checked once per command, however many clients it builds.
        return kafkaConfigs.computeIfAbsent(user, this::readKafkaClientConfig);
    }

    private Map<String, Object> readKafkaClientConfig(String user) {
        Optional<Path> file = Optional.ofNullable(kafkaConfig)
                .or(() -> localStackServing(StackEndpoints.KAFKA_BOOTSTRAP, kafkaBootstrap()).flatMap(s -> s.kafkaClientConfig(user)))
                .or(() -> first(System.getenv("SLUICE_KAFKA_CONFIG")).map(Path::of));
        if (file.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> config = new java.util.LinkedHashMap<>(SettingsFile.read(file.get(), "--kafka-config"));
        KafkaClientSecurity.check(config, file.get() + ": ");
        return config;
    }

    /** Kafka client settings for an operator command: the admin user on a secured local stack. */
    Map<String, Object> kafkaClientConfig() {
        return kafkaClientConfig(StackSecurity.KAFKA_ADMIN);
    }

    /** Admin (or other client) settings: the client security settings plus the bootstrap servers. */
    Map<String, Object> kafkaClient(Map<String, Object> more) {
        Map<String, Object> config = new java.util.LinkedHashMap<>(kafkaClientConfig());
        config.put("bootstrap.servers", kafkaBootstrap());
        config.putAll(more);
        return config;
    }

    /** How to authenticate to Solr and whom to trust: --solr-config, the secured local stack's, $SLUICE_SOLR_CONFIG, or nothing. */
    SolrClientSecurity solrSecurity() {
        Optional<Path> file = Optional.ofNullable(solrConfig)
                .or(() -> localStackServing(StackEndpoints.SOLR_URL, String.join(",", solrUrls())).flatMap(StackEndpoints::solrClientConfig))
                .or(() -> first(System.getenv("SLUICE_SOLR_CONFIG")).map(Path::of));
        return file.map(f -> SolrClientSecurity.from(SettingsFile.read(f, "--solr-config"), f + ": ", Secrets.fromProcess()))
                .orElse(SolrClientSecurity.NONE);
    }

    /** The local stack, if it is the one whose {@code endpoint} is {@code value}. */
    private Optional<StackEndpoints> localStackServing(String endpoint, String value) {
        Path dir = workDir != null ? workDir.toAbsolutePath().normalize() : LocalStack.defaultWorkDir();
        return StackEndpoints.read(dir).filter(s -> s.get(endpoint).map(value::equals).orElse(false));
    }

    StackEndpoints stack() {
        Path dir = workDir != null ? workDir.toAbsolutePath().normalize() : LocalStack.defaultWorkDir();
        return StackEndpoints.read(dir).orElseThrow(() -> new StackException(
                "no endpoints given and no stack is up in " + dir + ": start one with './sluice stack up' or pass --kafka-bootstrap/--zookeeper/--solr-url"));
    }

    private static Optional<String> first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
