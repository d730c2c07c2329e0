package dev.sluice.common.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Opens the key and trust stores a client is configured with before it connects, so that a missing
 * file, a wrong password or an expired certificate fails at start with the name of the setting to
 * fix, instead of surfacing later as a bare TLS handshake failure.
 */
public final class TlsStores {

    private TlsStores() {
    }

    /** The settings that describe one store, by name, for messages. */
    public record StoreSettings(String locationSetting, String passwordSetting, String typeSetting) {
    }

    /**
     * Loads one store and checks every certificate in it is valid now.
     *
     * @return the loaded store
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static KeyStore open(StoreSettings names, String location, char[] password, String type) {
        Path file = Path.of(location);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("setting '" + names.locationSetting() + "': no store at " + file);
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("setting '" + names.locationSetting() + "': cannot read " + file);
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(type == null || type.isBlank() ? "PKCS12" : type);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("setting '" + names.typeSetting() + "': unknown store type '" + type + "'");
        }
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new IllegalArgumentException("setting '" + names.passwordSetting() + "' does not open " + file
                        + " (wrong password)");
            }
            throw new IllegalArgumentException("setting '" + names.locationSetting() + "': " + file + " is not a "
                    + store.getType() + " store (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("setting '" + names.locationSetting() + "': cannot load " + file + " (" + e.getMessage() + ")");
        }
        List<String> problems = certificateProblems(store, Instant.now());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("setting '" + names.locationSetting() + "': " + file + " " + String.join("; ", problems));
        }
        return store;
    }

    /** Expired and not-yet-valid certificates of a store, described. */
    static List<String> certificateProblems(KeyStore store, Instant now) {
        List<String> problems = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                Certificate[] chain = store.isKeyEntry(alias) ? store.getCertificateChain(alias)
                        : new Certificate[] {store.getCertificate(alias)};
                if (chain == null) {
                    continue;
                }
                for (Certificate certificate : chain) {
                    if (certificate instanceof X509Certificate x509) {
                        if (x509.getNotAfter().toInstant().isBefore(now)) {
                            problems.add("holds certificate " + x509.getSubjectX500Principal().getName() + " that expired on "
                                    + x509.getNotAfter().toInstant());
                        } else if (x509.getNotBefore().toInstant().isAfter(now)) {
                            problems.add("holds certificate " + x509.getSubjectX500Principal().getName() + " that is not valid before "
                                    + x509.getNotBefore().toInstant());
                        }
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            problems.add("cannot be read (" + e.getMessage() + ")");
        }
        return problems;
    }

    /**
     * Checks the stores of a Kafka client configuration, whose values may use Kafka config providers
     * ({@code ${dir:...}}, {@code ${file:...}}): resolved here the way the client will resolve them.
     *
     * @param resolved the client configuration with provider references already resolved
     * @param prefix how the user spells these settings (e.g. {@code kafka.common.}), for messages
     * @throws IllegalArgumentException naming the first setting at fault
     */
    public static void checkKafkaClient(Map<String, ?> resolved, String prefix) {
        for (String store : List.of("ssl.truststore", "ssl.keystore")) {
            Object location = resolved.get(store + ".location");
            if (location == null || location.toString().isBlank()) {
                continue;
            }
            Object password = resolved.get(store + ".password");
            Object type = resolved.get(store + ".type");
            open(new StoreSettings(prefix + store + ".location", prefix + store + ".password", prefix + store + ".type"),
                    location.toString(), password == null ? null : password.toString().toCharArray(),
                    type == null ? "PKCS12" : type.toString());
        }
    }
}
