package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.StackException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a command finds Kafka, HBase and Solr: an explicit option, else the environment
 * ({@code SLUICE_KAFKA_BOOTSTRAP}, {@code SLUICE_ZOOKEEPER}, {@code SLUICE_SOLR_URL}, as {@code sluice stack env} prints
 * them), else the local stack's endpoints file.
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
