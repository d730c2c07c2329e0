package dev.sluice.interceptors;

import org.apache.flume.Context;

/** Reading interceptor settings from a Flume {@link Context}, failing with the key named. */
final class ConfigKeys {

    private ConfigKeys() {
    }

    static String required(Context context, String interceptor, String key) {
        String value = context.getString(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(interceptor + " interceptor: '" + key + "' is required");
        }
        return value.trim();
    }

    static int positiveInt(Context context, String interceptor, String key, int defaultValue) {
        String value = context.getString(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the key
        }
        throw new IllegalArgumentException(interceptor + " interceptor: '" + key + "' must be a positive integer, was '" + value + "'");
    }

    static FieldPath fieldPath(Context context, String interceptor, String key, String value) {
        try {
            return FieldPath.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(interceptor + " interceptor: '" + key + "': " + e.getMessage(), e);
        }
    }
}
