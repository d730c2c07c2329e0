package dev.sluice.profiles;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entity's profile: its key and its typed attribute values (see {@code AttributeType} for the
 * Java type of each). Absent attributes are simply not in the map. Immutable.
 */
public record Profile(String key, Map<String, Object> attributes) {

    public Profile {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a profile needs a non-empty key");
        }
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
