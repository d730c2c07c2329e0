package dev.sluice.interceptors;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.regex.Pattern;

/** A dotted path into a JSON object, such as {@code card.id}. Immutable. */
public final class FieldPath {

    private static final Pattern VALID = Pattern.compile("[^.\\s]+(\\.[^.\\s]+)*");

    private final String path;
    private final String[] segments;

    private FieldPath(String path) {
        this.path = path;
        this.segments = path.split("\\.");
    }

    /** @throws IllegalArgumentException if the path is empty or has empty segments */
    public static FieldPath parse(String path) {
        if (path == null || !VALID.matcher(path.trim()).matches()) {
            throw new IllegalArgumentException("'" + path + "' is not a field path (names separated by dots, e.g. card.id)");
        }
        return new FieldPath(path.trim());
    }

    /** The node at this path, or null if any step is missing or JSON null. */
    public JsonNode find(JsonNode root) {
        JsonNode node = root;
        for (String segment : segments) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node == null || node.isNull() ? null : node;
    }

    @Override
    public String toString() {
        return path;
    }
}
