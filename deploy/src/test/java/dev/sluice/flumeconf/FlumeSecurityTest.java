package dev.sluice.flumeconf;

import dev.sluice.stack.LocalStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FlumeSecurityTest {

    private static final Path CONF = Path.of(System.getProperty("sluice.home", ".."), "conf", "flume");
    private static final Map<String, String> KAFKA = Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"flume\" password=\"${secrets:/s:p}\";");
    private static final Map<String, String> SOLR = Map.of("auth.username", "sluice", "auth.password", "file:/s/solr.password");

    @TempDir
    Path dir;

    @Test
    void everyKafkaChannelAndSinkAndEverySolrSinkOfTheShippedTiersGetsTheSettings() throws Exception {
        Properties tier1 = load(FlumeSecurity.secure(Files.readString(CONF.resolve("tier1.properties")), "tier1", KAFKA, SOLR));
        assertThat(tier1).containsEntry("tier1.channels.raw.kafka.producer.security.protocol", "SASL_SSL")
                .containsEntry("tier1.channels.raw.kafka.consumer.sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("tier1.sinks.dlq.kafka.producer.security.protocol", "SASL_SSL")
                .doesNotContainKey("tier1.channels.dlq.kafka.producer.security.protocol") // a file channel
                .doesNotContainKey("tier1.sinks.dlq.auth.username");

        Properties tier2 = load(FlumeSecurity.secure(Files.readString(CONF.resolve("tier2.properties")), "tier2", KAFKA, SOLR));
        for (String channel : List.of("hbase_events", "solr_events", "solr_alerts", "hdfs_events", "hdfs_alerts")) {
            assertThat(tier2.getProperty("tier2.channels." + channel + ".kafka.consumer.sasl.jaas.config")).contains("username=\"flume\"");
        }
        for (String sink : List.of("solr_events", "solr_alerts")) {
            assertThat(tier2).containsEntry("tier2.sinks." + sink + ".auth.password", "file:/s/solr.password")
                    .containsEntry("tier2.sinks." + sink + ".dlq.producer.security.protocol", "SASL_SSL");
        }
        assertThat(tier2).doesNotContainKey("tier2.sinks.hbase_events.auth.username");
    }

    @Test
    void settingsTheFileAlreadyHasWinAndTheResultStillValidates() throws Exception {
        String own = Files.readString(CONF.resolve("tier2.properties")) + "\ntier2.sinks.solr_events.auth.username = someone-else\n"
                + "tier2.sinks.solr_events.auth.password = env:OTHER\n";
        Path secured = Files.writeString(dir.resolve("tier2.properties"), FlumeSecurity.secure(own, "tier2", KAFKA, SOLR));
        assertThat(load(Files.readString(secured))).containsEntry("tier2.sinks.solr_events.auth.username", "someone-else")
                .containsEntry("tier2.sinks.solr_alerts.auth.username", "sluice");

        List<Path> classpath = new ArrayList<>(LocalStack.roleClasspath("flume"));
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("sluice.home", ".."), "flume-plugin", "target"))) {
            jars.filter(p -> p.getFileName().toString().matches("sluice-flume-plugin-.*\\.jar")).forEach(classpath::add);
        }
        assertThat(new FlumeConfigValidator(classpath).validate(secured, "tier2")).isEmpty();
    }

    private static Properties load(String text) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }
}
