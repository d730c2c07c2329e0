package dev.sluice.profiles.schema;

import java.nio.charset.StandardCharsets;

/**
 * One profile attribute: its name (also its HBase column qualifier), its type, and whether
 * enrichment copies it into events.
 */
public record Attribute(String name, AttributeType type, boolean enrich) {

    /** The HBase column qualifier: the attribute's name in UTF-8. */
    public byte[] qualifier() {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
