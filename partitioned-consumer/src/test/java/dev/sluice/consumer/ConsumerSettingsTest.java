package dev.sluice.consumer;

import dev.sluice.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsumerSettingsTest {

    private static final Map<String, String> MINIMAL = Map.of("bootstrap.servers", "localhost:9092",
            "hbase.zookeeper.quorum", "localhost:2181");

    @Test
    void defaultsAreDocumented() {
        ConsumerSettings settings = ConsumerSettings.from(MINIMAL);
        assertThat(settings.guarantee()).isEqualTo(ConsumerSettings.Guarantee.EXACTLY_ONCE);
        assertThat(settings.unknownProfile()).isEqualTo(ConsumerSettings.UnknownProfilePolicy.PASS);
        assertThat(settings.topics().input()).isEqualTo("events.raw");
        assertThat(settings.topics().changelog()).isEqualTo("sluice-enrich.windows-changelog");
        assertThat(settings.hbase()).containsEntry("hbase.zookeeper.quorum", "localhost:2181");
    }

    @Test
    void processingThreadsDefaultToHalfTheCoresFromOneToEight() {
        assertThat(ConsumerSettings.defaultProcessingThreads(1)).isEqualTo(1);
        assertThat(ConsumerSettings.defaultProcessingThreads(2)).isEqualTo(1);
        assertThat(ConsumerSettings.defaultProcessingThreads(3)).isEqualTo(1);
        assertThat(ConsumerSettings.defaultProcessingThreads(8)).isEqualTo(4);
        assertThat(ConsumerSettings.defaultProcessingThreads(64)).isEqualTo(8);
        assertThat(ConsumerSettings.from(MINIMAL).processingThreads())
                .isEqualTo(ConsumerSettings.defaultProcessingThreads(Runtime.getRuntime().availableProcessors()));
        var two = new java.util.HashMap<>(MINIMAL);
        two.put("processing.threads", "2");
        assertThat(ConsumerSettings.from(two).processingThreads()).isEqualTo(2);
    }

    @Test
    void badSettingsFailNamingEveryKey() {
        var values = new java.util.HashMap<>(Map.of("processing.guarantee", "twice", "metrics.port", "http",
                "unknown.profile", "ignore", "topic.inputs", "x", "kafka.consumer.max.poll.records", "100"));
        assertThatThrownBy(() -> ConsumerSettings.from(values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown setting 'topic.inputs'")
                .hasMessageContaining("missing required setting 'bootstrap.servers'")
                .hasMessageContaining("'hbase.zookeeper.quorum'")
                .hasMessageContaining("setting 'processing.guarantee' must be one of [exactly_once, at_least_once], got 'twice'")
                .hasMessageContaining("setting 'metrics.port' must be a whole number, got 'http'")
                .hasMessageContaining("setting 'unknown.profile' must be one of [pass, lookup, dlq]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("kafka.consumer.max.poll.records"));
    }

    @Test
    void kafkaSettingsPassThrough() {
        var values = new java.util.HashMap<>(MINIMAL);
        values.put("kafka.consumer.max.poll.records", "100");
        values.put("kafka.producer.linger.ms", "2");
        ConsumerSettings settings = ConsumerSettings.from(values);
        assertThat(settings.kafkaConsumer()).containsEntry("max.poll.records", "100");
        assertThat(settings.kafkaProducer()).containsEntry("linger.ms", "2");
    }

    @Test
    void theShippedSampleRulesAreValid() throws Exception {
        RuleSet rules = RuleSet.load(Path.of("..", "conf", "rules", "cards.yaml"));
        assertThat(rules.ruleNames()).containsExactly("over_limit", "burst", "daily_spend");
        assertThat(rules.windows()).hasSize(2);
    }
}
