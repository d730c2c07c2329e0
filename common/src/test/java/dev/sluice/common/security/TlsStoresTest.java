package dev.sluice.common.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Store checks with stores made here (certificate validity is covered where certificates are issued: the stack's CA). */
class TlsStoresTest {

    @TempDir
    Path dir;

    private Path emptyStore(String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        Path file = dir.resolve("store.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    @Test
    void aMissingStoreAWrongPasswordAndAWrongTypeEachNameTheirSetting() throws Exception {
        Path store = emptyStore("right");
        Map<String, Object> kafka = new HashMap<>(Map.of("ssl.truststore.location", dir.resolve("nope.p12").toString(),
                "ssl.truststore.password", "right"));
        assertThatThrownBy(() -> KafkaClientSecurity.check(kafka, "kafka.common."))
                .hasMessageContaining("'kafka.common.ssl.truststore.location'").hasMessageContaining("no store at");

        kafka.put("ssl.truststore.location", store.toString());
        kafka.put("ssl.truststore.password", "wrong");
        assertThatThrownBy(() -> KafkaClientSecurity.check(kafka, "kafka.common."))
                .hasMessageContaining("'kafka.common.ssl.truststore.password'").hasMessageContaining("wrong password");

        kafka.put("ssl.truststore.password", "right");
        KafkaClientSecurity.check(kafka, "kafka.common.");

        Path notAStore = Files.writeString(dir.resolve("text.p12"), "not a key store");
        kafka.put("ssl.truststore.location", notAStore.toString());
        assertThatThrownBy(() -> KafkaClientSecurity.check(kafka, "kafka.common."))
                .hasMessageContaining("'kafka.common.ssl.truststore.");
    }

    @Test
    void passwordsGivenThroughKafkaConfigProvidersAreResolvedBeforeTheCheck() throws Exception {
        Path store = emptyStore("from-a-file");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("truststore.password"), "from-a-file");
        Map<String, Object> kafka = Map.of("config.providers", "secrets",
                "config.providers.secrets.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "ssl.truststore.location", store.toString(),
                "ssl.truststore.password", "${secrets:" + secrets + ":truststore.password}");
        KafkaClientSecurity.check(kafka, "");

        Map<String, Object> unresolved = Map.of("ssl.truststore.location", store.toString(),
                "ssl.truststore.password", "${secrets:" + secrets + ":truststore.password}");
        assertThatThrownBy(() -> KafkaClientSecurity.check(unresolved, "kafka.common."))
                .hasMessageContaining("'kafka.common.ssl.truststore.password'").hasMessageContaining("no config provider resolved");
    }

    @Test
    void solrSettingsNeedUsernameAndPasswordTogetherAndAPasswordForAStore() throws Exception {
        Path store = emptyStore("pw");
        Path password = Files.writeString(dir.resolve("pw"), "pw");
        Secrets secrets = Secrets.fromProcess();
        assertThatThrownBy(() -> SolrClientSecurity.from(Map.of("auth.username", "sluice"), "sinks.solr.", secrets))
                .hasMessageContaining("'sinks.solr.auth.username' and 'sinks.solr.auth.password' go together");
        assertThatThrownBy(() -> SolrClientSecurity.from(Map.of("ssl.truststore.location", store.toString()), "", secrets))
                .hasMessageContaining("'ssl.truststore.password' is missing");
        SolrClientSecurity security = SolrClientSecurity.from(Map.of("auth.username", "sluice", "auth.password", "file:" + password,
                "ssl.truststore.location", store.toString(), "ssl.truststore.password", "file:" + password), "", secrets);
        assertThat(security.basicAuthorizationHeader()).hasValue("Basic c2x1aWNlOnB3");
        assertThat(security.toString()).doesNotContain("=pw").contains(Redaction.REDACTED);
        assertThat(SolrClientSecurity.NONE.authenticates()).isFalse();
    }
}
