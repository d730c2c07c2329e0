package dev.sluice.common.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsTest {

    @TempDir
    Path dir;

    private final Secrets secrets = Secrets.withEnvironment(Map.of("SOLR_PASSWORD", "from-env"));

    @Test
    void readsAFileWithoutItsTrailingLineBreakAndAnEnvironmentVariable() throws Exception {
        Path file = Files.writeString(dir.resolve("p"), "s3cret\n");
        assertThat(secrets.resolve("auth.password", "file:" + file)).isEqualTo("s3cret");
        assertThat(secrets.resolve("auth.password", "env:SOLR_PASSWORD")).isEqualTo("from-env");
    }

    @Test
    void refusesALiteralAndNamesTheSettingForEveryProblem() {
        assertThatThrownBy(() -> secrets.resolve("auth.password", "hunter2"))
                .hasMessageContaining("'auth.password'").hasMessageContaining("file:PATH or env:NAME").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> secrets.resolve("auth.password", "file:" + dir.resolve("missing")))
                .hasMessageContaining("'auth.password'").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> secrets.resolve("ssl.truststore.password", "env:NOT_SET"))
                .hasMessageContaining("'ssl.truststore.password'").hasMessageContaining("NOT_SET is not set");
        assertThatThrownBy(() -> secrets.resolve("auth.password", " ")).hasMessageContaining("'auth.password' is empty");
    }

    @Test
    void redactionHidesEverySecretLookingSettingAndKeepsTheRest() {
        Map<String, Object> redacted = Redaction.redact(Map.of("sasl.jaas.config", "… password=\"x\";", "ssl.truststore.password", "x",
                "auth.password", "file:/p", "ssl.truststore.location", "/t.p12", "bootstrap.servers", "h:1"));
        assertThat(redacted).containsEntry("sasl.jaas.config", Redaction.REDACTED).containsEntry("ssl.truststore.password", Redaction.REDACTED)
                .containsEntry("auth.password", Redaction.REDACTED).containsEntry("ssl.truststore.location", "/t.p12")
                .containsEntry("bootstrap.servers", "h:1");
    }
}
