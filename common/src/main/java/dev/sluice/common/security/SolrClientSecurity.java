package dev.sluice.common.security;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a Sluice client authenticates to Solr and which certificates it trusts: HTTP basic
 * authentication and TLS key/trust stores. Read from settings (the Solr sink's, or
 * {@code solr-client.properties} of the CLI); secrets are {@code file:}/{@code env:} references
 * ({@link Secrets}). Every store is opened at construction, so a bad one fails at start naming its
 * setting.
 *
 * @param prefix how the settings are spelled where they came from, for messages
 */
public record SolrClientSecurity(String prefix, Optional<String> username, Optional<String> password,
                                 Optional<Store> trustStore, Optional<Store> keyStore) {

    public static final String USERNAME = "auth.username";
    public static final String PASSWORD = "auth.password";
    public static final String TRUSTSTORE_LOCATION = "ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "ssl.keystore.type";
    public static final Set<String> KEYS = Set.of(USERNAME, PASSWORD, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
            KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE);

    /** No authentication, the JVM's default trust. */
    public static final SolrClientSecurity NONE = new SolrClientSecurity("", Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    /** A loaded store and what it was loaded from. */
    public record Store(String location, String type, String password, KeyStore keyStore) {
        @Override
        public String toString() {
            return "Store[" + location + ", " + type + "]";
        }
    }

    /**
     * @param settings the settings, keys without {@code prefix} ({@link #KEYS}); others are ignored
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static SolrClientSecurity from(Map<String, String> settings, String prefix, Secrets secrets) {
        Optional<String> username = value(settings, USERNAME);
        Optional<String> password = value(settings, PASSWORD).map(ref -> secrets.resolve(prefix + PASSWORD, ref));
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("settings '" + prefix + USERNAME + "' and '" + prefix + PASSWORD
                    + "' go together: give both or neither");
        }
        Optional<Store> trust = store(settings, prefix, secrets, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE);
        Optional<Store> key = store(settings, prefix, secrets, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE);
        return new SolrClientSecurity(prefix, username, password, trust, key);
    }

    private static Optional<Store> store(Map<String, String> settings, String prefix, Secrets secrets,
                                         String locationKey, String passwordKey, String typeKey) {
        Optional<String> location = value(settings, locationKey);
        if (location.isEmpty()) {
            if (value(settings, passwordKey).isPresent()) {
                throw new IllegalArgumentException("setting '" + prefix + passwordKey + "' needs '" + prefix + locationKey + "'");
            }
            return Optional.empty();
        }
        String password = value(settings, passwordKey).map(ref -> secrets.resolve(prefix + passwordKey, ref))
                .orElseThrow(() -> new IllegalArgumentException("setting '" + prefix + passwordKey + "' is missing (needed to open "
                        + location.get() + ")"));
        String type = value(settings, typeKey).orElse("PKCS12");
        KeyStore store = TlsStores.open(new TlsStores.StoreSettings(prefix + locationKey, prefix + passwordKey, prefix + typeKey),
                location.get(), password.toCharArray(), type);
        return Optional.of(new Store(location.get(), type, password, store));
    }

    private static Optional<String> value(Map<String, String> settings, String key) {
        return Optional.ofNullable(settings.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    public boolean authenticates() {
        return username.isPresent();
    }

    /** {@code Basic base64(user:password)}, for plain HTTP clients. */
    public Optional<String> basicAuthorizationHeader() {
        return username.map(u -> "Basic " + Base64.getEncoder().encodeToString(
                (u + ":" + password.orElseThrow()).getBytes(StandardCharsets.UTF_8)));
    }

    /** An SSL context with these stores, or the JVM default when none is configured. */
    public SSLContext sslContext() {
        try {
            if (trustStore.isEmpty() && keyStore.isEmpty()) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory trust = null;
            if (trustStore.isPresent()) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trustStore.get().keyStore());
            }
            KeyManagerFactory keys = null;
            if (keyStore.isPresent()) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(keyStore.get().keyStore(), keyStore.get().password().toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context for Solr: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SolrClientSecurity[user=" + username.orElse("-") + ", password=" + password.map(p -> Redaction.REDACTED).orElse("-")
                + ", trustStore=" + trustStore.map(Store::location).orElse("-") + ", keyStore=" + keyStore.map(Store::location).orElse("-") + "]";
    }
}
