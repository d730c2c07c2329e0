package dev.sluice.stack.security;

import dev.sluice.common.security.KafkaClientSecurity;
import dev.sluice.common.security.TlsStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StackSecurityTest {

    @TempDir
    Path work;

    @Test
    void generatesACaServerStoresPrivateSecretsAndClientSettingsThatOnlyReferToThem() throws Exception {
        StackSecurity security = StackSecurity.generate(work, Optional.empty());
        Map<String, Path> files = security.writeClientConf(work.resolve("client-conf"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.secretsDir()))).isEqualTo("rwx------");
        String trustPassword = security.readSecret(StackSecurity.TRUSTSTORE_PASSWORD);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.secret(StackSecurity.TRUSTSTORE_PASSWORD))))
                .isEqualTo("rw-------");
        KeyStore broker = TlsStores.open(new TlsStores.StoreSettings("l", "p", "t"), security.kafkaKeyStore().toString(),
                security.readSecret(StackSecurity.KAFKA_KEYSTORE_PASSWORD).toCharArray(), "PKCS12");
        X509Certificate leaf = (X509Certificate) broker.getCertificateChain("kafka")[0];
        KeyStore trust = TlsStores.open(new TlsStores.StoreSettings("l", "p", "t"), security.trustStore().toString(),
                trustPassword.toCharArray(), "PKCS12");
        leaf.verify(((X509Certificate) trust.getCertificate("ca")).getPublicKey());
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=" + StackSecurity.BROKER_CN);
        assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList()).contains("localhost", "127.0.0.1");

        String sluice = Files.readString(files.get("kafka.sluice"));
        assertThat(sluice).contains("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512", "username=\"sluice\"")
                .doesNotContain(trustPassword, security.readSecret(StackSecurity.kafkaPasswordName("sluice")));
        assertThat(Files.readString(files.get("solr"))).contains("auth.password=file:").doesNotContain(security.readSecret(StackSecurity.SOLR_PASSWORD));

        // What a client does with the file: the references resolve and the stores open.
        Map<String, Object> client = new HashMap<>(security.kafkaClientSettings("sluice"));
        KafkaClientSecurity.check(client, "");
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRefusedNamingTheSetting() {
        LocalCertificateAuthority ca = LocalCertificateAuthority.create("test CA");
        Path expired = work.resolve("expired.p12");
        ca.issue("old", Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(1)).writeKeyStore(expired, "old", "pw".toCharArray());
        assertThatThrownBy(() -> KafkaClientSecurity.check(Map.of("ssl.keystore.location", expired.toString(), "ssl.keystore.password", "pw"),
                "kafka.common."))
                .hasMessageContaining("'kafka.common.ssl.keystore.location'").hasMessageContaining("CN=old").hasMessageContaining("expired on");
        Path future = work.resolve("future.p12");
        ca.issue("young", Instant.now().plus(Duration.ofDays(10)), Duration.ofDays(1)).writeKeyStore(future, "young", "pw".toCharArray());
        assertThatThrownBy(() -> KafkaClientSecurity.check(Map.of("ssl.keystore.location", future.toString(), "ssl.keystore.password", "pw"),
                ""))
                .hasMessageContaining("not valid before");
    }

    @Test
    void everyStartMakesNewPasswords() {
        String first = StackSecurity.generate(work, Optional.empty()).readSecret(StackSecurity.kafkaPasswordName("admin"));
        String second = StackSecurity.generate(work, Optional.empty()).readSecret(StackSecurity.kafkaPasswordName("admin"));
        assertThat(first).hasSize(24).isNotEqualTo(second);
    }
}
