package dev.sluice.solr;

import org.apache.flume.Context;
import org.apache.flume.conf.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SolrSinkSettingsTest {

    @Test
    void readsDefaultsAndProducerPassThrough() {
        SolrSinkSettings settings = SolrSinkSettings.from(new Context(Map.of("type", "dev.sluice.solr.SolrSink", "channel", "c",
                "solrUrls", "http://a:8983/solr, http://b:8983/solr", "collection", "events",
                "dlq.bootstrap.servers", "k:9092", "dlq.producer.linger.ms", "5")), "solr");

        assertThat(settings.solrUrls()).containsExactly("http://a:8983/solr", "http://b:8983/solr");
        assertThat(settings.format()).isEqualTo(DocumentMapper.Format.EVENT);
        assertThat(settings.batchSize()).isEqualTo(1000);
        assertThat(settings.onRejected()).isEqualTo(SolrSinkSettings.OnRejected.DLQ);
        assertThat(settings.dlqTopic()).isEqualTo("events.dlq");
        assertThat(settings.dlqProducer()).containsEntry("linger.ms", "5").containsEntry("bootstrap.servers", "k:9092");
    }

    @Test
    void reportsEveryProblemNamingItsKey() {
        assertThatThrownBy(() -> SolrSinkSettings.from(new Context(Map.of("solrUrls", "solr:8983", "batchSise", "10",
                "format", "xml", "retry.deadlineMs", "-1", "commitWithinMs", "soon")), "solr"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Solr sink 'solr'")
                .hasMessageContaining("solrUrls: 'solr:8983' is not an http(s) URL")
                .hasMessageContaining("collection: required")
                .hasMessageContaining("batchSise: unknown key (did you mean 'batchSize'?)")
                .hasMessageContaining("format: 'xml' is not one of [event, alert]")
                .hasMessageContaining("retry.deadlineMs: -1 is out of range")
                .hasMessageContaining("commitWithinMs: 'soon' is not a whole number")
                .hasMessageContaining("dlq.bootstrap.servers: required");
    }

    @Test
    void failPolicyNeedsNoKafka() {
        SolrSinkSettings settings = SolrSinkSettings.from(new Context(Map.of("solrUrls", "http://a/solr", "collection", "alerts",
                "format", "alert", "onRejected", "fail")), "solr");
        assertThat(settings.onRejected()).isEqualTo(SolrSinkSettings.OnRejected.FAIL);
        assertThat(settings.format()).isEqualTo(DocumentMapper.Format.ALERT);
    }
}
