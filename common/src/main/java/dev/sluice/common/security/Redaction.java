package dev.sluice.common.security;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hides secret values before settings are logged, printed or exported: any setting whose name
 * speaks of a password, secret, credential, token or JAAS login configuration.
 */
public final class Redaction {

    public static final String REDACTED = "[redacted]";

    private static final Pattern SECRET_KEY = Pattern.compile("password|passwd|secret|credential|token|jaas|private\\.key|keytab\\.content");

    private Redaction() {
    }

    public static boolean isSecret(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    /** A copy with every secret value replaced by {@value #REDACTED}; order kept. */
    public static <V> Map<String, Object> redact(Map<String, V> settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        settings.forEach((key, value) -> out.put(key, isSecret(key) ? REDACTED : value));
        return out;
    }
}
