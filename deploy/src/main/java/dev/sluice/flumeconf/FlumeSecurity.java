package dev.sluice.flumeconf;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Makes an agent configuration connect securely without editing it: for every Kafka component of
 * the agent (Kafka channel, source and sink) it adds the Kafka client security settings under the
 * keys Flume passes to Kafka ({@code kafka.producer.*}, {@code kafka.consumer.*}), and for every
 * Sluice Solr sink the Solr client settings and its dead-letter producer's Kafka settings.
 * Settings the file already has win. The settings are references to secrets (Kafka config
 * providers, {@code file:} paths), so the result can be written next to the agent and logged.
 */
public final class FlumeSecurity {

    private static final String KAFKA_CHANNEL = "org.apache.flume.channel.kafka.KafkaChannel";
    private static final String KAFKA_SOURCE = "org.apache.flume.source.kafka.KafkaSource";
    private static final String KAFKA_SINK = "org.apache.flume.sink.kafka.KafkaSink";
    private static final String SOLR_SINK = "dev.sluice.solr.SolrSink";

    private FlumeSecurity() {
    }

    /**
     * @param configuration the agent's properties, as text
     * @param agent the agent name
     * @param kafkaClient Kafka client settings (security.protocol, sasl.*, ssl.*, config.providers*)
     * @param solrClient Solr client settings (auth.*, ssl.*), empty for none
     * @return the configuration with the settings appended, one block per component
     */
    public static String secure(String configuration, String agent, Map<String, String> kafkaClient, Map<String, String> solrClient) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(configuration));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> added = new LinkedHashMap<>();
        for (String kind : List.of("channels", "sources", "sinks")) {
            for (String component : names(properties.getProperty(agent + "." + kind))) {
                String prefix = agent + "." + kind + "." + component + ".";
                String type = properties.getProperty(prefix + "type", "").trim();
                List<String> kafkaPrefixes = new ArrayList<>();
                if (type.equals(KAFKA_CHANNEL)) {
                    kafkaPrefixes.addAll(List.of("kafka.producer.", "kafka.consumer."));
                } else if (type.equals(KAFKA_SOURCE) || type.equalsIgnoreCase("kafka") && kind.equals("sources")) {
                    kafkaPrefixes.add("kafka.consumer.");
                } else if (type.equals(KAFKA_SINK)) {
                    kafkaPrefixes.add("kafka.producer.");
                } else if (type.equals(SOLR_SINK)) {
                    kafkaPrefixes.add("dlq.producer.");
                    solrClient.forEach((key, value) -> added.put(prefix + key, value));
                }
                for (String kafkaPrefix : kafkaPrefixes) {
                    kafkaClient.forEach((key, value) -> added.put(prefix + kafkaPrefix + key, value));
                }
            }
        }
        StringBuilder out = new StringBuilder(configuration);
        if (!configuration.endsWith("\n")) {
            out.append('\n');
        }
        out.append("\n# ---- added by Sluice: secure connections (references to secrets, no secret values) ----\n");
        added.forEach((key, value) -> {
            if (!properties.containsKey(key)) {
                out.append(key).append(" = ").append(value.replace("\\", "\\\\")).append('\n');
            }
        });
        return out.toString();
    }

    private static List<String> names(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return List.of(list.trim().split("\\s+"));
    }
}
