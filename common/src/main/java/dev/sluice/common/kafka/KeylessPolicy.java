package dev.sluice.common.kafka;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What {@link BucketPartitioner} does with a record that has no key. Counted either way. */
public enum KeylessPolicy {
    /** Fail the send with {@link KeylessRecordException}. The safe default: nothing is misrouted. */
    FAIL("fail"),
    /** Send it to partition 0, where an operator can find every keyless record. */
    FIRST_PARTITION("first-partition");

    private final String configValue;

    KeylessPolicy(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static KeylessPolicy fromConfig(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (KeylessPolicy policy : values()) {
            if (policy.configValue.equals(normalized)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of "
                + Arrays.stream(values()).map(KeylessPolicy::configValue).collect(Collectors.joining(", ")));
    }
}
