package dev.sluice.common.security;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka client security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}), as in the
 * client properties file Kafka's own tools take with {@code --command-config}: checked before a
 * client is built.
 *
 * <p>Secrets stay out of these files through Kafka's config providers, e.g.
 * {@code config.providers=secrets}, {@code config.providers.secrets.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider},
 * {@code ssl.truststore.password=${secrets:/etc/sluice/secrets:truststore.password}}; the client resolves them itself.
 */
public final class KafkaClientSecurity {

    private KafkaClientSecurity() {
    }

    /**
     * Resolves config-provider references the way the Kafka client will and opens the configured
     * stores: a missing store, a wrong password or an expired certificate fails here, naming the
     * setting as the user spells it ({@code prefix} + key).
     *
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static void check(Map<String, ?> config, String prefix) {
        Map<String, Object> resolved;
        try {
            resolved = new LinkedHashMap<>(new AbstractConfig(new ConfigDef(), config, false).originals());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("setting '" + prefix + "config.providers': " + e.getMessage(), e);
        }
        for (Map.Entry<String, Object> entry : resolved.entrySet()) {
            if (entry.getValue() instanceof String s && s.contains("${") && config.get(entry.getKey()) != null
                    && config.get(entry.getKey()).toString().equals(s)) {
                throw new IllegalArgumentException("setting '" + prefix + entry.getKey() + "' refers to a secret ("
                        + s.substring(s.indexOf("${")) + ") that no config provider resolved; check '" + prefix
                        + "config.providers' and that the secret exists");
            }
        }
        TlsStores.checkKafkaClient(resolved, prefix);
    }
}
