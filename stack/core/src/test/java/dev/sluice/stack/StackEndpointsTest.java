package dev.sluice.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackEndpointsTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsThroughItsFile() {
        StackEndpoints written = new StackEndpoints(dir, Map.of(StackEndpoints.SERVICES, "zookeeper,kafka",
                StackEndpoints.KAFKA_BOOTSTRAP, "127.0.0.1:9092", StackEndpoints.ZOOKEEPER_CONNECT, "127.0.0.1:2181"));
        written.write();

        StackEndpoints read = StackEndpoints.read(dir).orElseThrow();
        assertThat(read.asMap()).isEqualTo(written.asMap());
        assertThat(read.services()).containsExactly(Service.ZOOKEEPER, Service.KAFKA);
        assertThat(read.kafkaBootstrapServers()).isEqualTo("127.0.0.1:9092");
    }

    @Test
    void isEmptyWhenNoStackWasBroughtUp() {
        assertThat(StackEndpoints.read(dir)).isEmpty();
    }

    @Test
    void namesTheMissingEndpointAndHowToGetIt() {
        StackEndpoints endpoints = new StackEndpoints(dir, Map.of(StackEndpoints.SERVICES, "zookeeper"));
        assertThatThrownBy(endpoints::solrUrl)
                .isInstanceOf(StackException.class)
                .hasMessageContaining("no 'solr.url' endpoint")
                .hasMessageContaining("sluice stack up --services");
    }

    @Test
    void printsShellExportsQuotedForAnyPath() {
        StackEndpoints endpoints = new StackEndpoints(Path.of("/tmp/it's here"), Map.of(
                StackEndpoints.KAFKA_BOOTSTRAP, "127.0.0.1:9092", StackEndpoints.SOLR_URL, "http://127.0.0.1:8983/solr"));

        assertThat(endpoints.shellExports()).isEqualTo("""
                export SLUICE_STACK_DIR='/tmp/it'\\''s here'
                export SLUICE_KAFKA_BOOTSTRAP='127.0.0.1:9092'
                export SLUICE_SOLR_URL='http://127.0.0.1:8983/solr'
                """);
    }
}
