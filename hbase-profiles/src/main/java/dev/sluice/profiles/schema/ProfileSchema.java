package dev.sluice.profiles.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The declared shape of a profile: typed attributes, one HBase column each in one family, and the
 * attributes enrichment copies into events. Written as a small YAML file:
 *
 * <pre>
 * keyField: card_id          # the field of a load file that holds the entity key (default: key)
 * family: p                  # HBase column family (default: p)
 * maxValueBytes: 65536       # largest accepted attribute value (default: 64 KiB)
 * attributes:                # name: type, type one of string, long, double, boolean, timestamp
 *   holder_name: string
 *   credit_limit: double
 *   card_since: timestamp
 *   vip: boolean
 * enrich: [credit_limit, vip]
 * </pre>
 *
 * <p>Validation reports every problem at once, each naming its attribute or setting. Immutable.
 */
public final class ProfileSchema {

    public static final String DEFAULT_KEY_FIELD = "key";
    public static final String DEFAULT_FAMILY = "p";
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> SETTINGS = Set.of("keyField", "family", "maxValueBytes", "attributes", "enrich");

    private final String keyField;
    private final String family;
    private final int maxValueBytes;
    private final Map<String, Attribute> attributes;
    private final List<Attribute> enrichAttributes; // asked for per enriched event
    private final String yaml;

    private ProfileSchema(String keyField, String family, int maxValueBytes, Map<String, Attribute> attributes) {
        this.keyField = keyField;
        this.family = family;
        this.maxValueBytes = maxValueBytes;
        this.attributes = Collections.unmodifiableMap(attributes);
        this.enrichAttributes = this.attributes.values().stream().filter(Attribute::enrich).toList();
        this.yaml = render();
    }

    public static ProfileSchema load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new SchemaException(file.toString(), List.of("cannot read the file: " + e.getMessage()));
        }
    }

    /**
     * @param source names the schema in error messages (a file name, a table)
     * @throws SchemaException listing every problem
     */
    public static ProfileSchema parse(String yamlText, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yamlText);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new SchemaException(source, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new SchemaException(source, List.of("expected a mapping with 'attributes'"));
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!SETTINGS.contains(name)) {
                problems.add("unknown setting '" + name + "' (known: " + String.join(", ", SETTINGS.stream().sorted().toList()) + ")");
            }
        }
        String keyField = text(root, "keyField", DEFAULT_KEY_FIELD, problems);
        String family = text(root, "family", DEFAULT_FAMILY, problems);
        if (!NAME.matcher(family).matches()) {
            problems.add("family '" + family + "' must be letters, digits and underscores");
        }
        int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
        JsonNode max = root.get("maxValueBytes");
        if (max != null) {
            if (!max.canConvertToInt() || max.intValue() < 1) {
                problems.add("maxValueBytes must be a positive integer, was " + max);
            } else {
                maxValueBytes = max.intValue();
            }
        }

        Set<String> enrich = new java.util.LinkedHashSet<>();
        JsonNode enrichNode = root.get("enrich");
        if (enrichNode != null) {
            if (!enrichNode.isArray()) {
                problems.add("enrich must be a list of attribute names");
            } else {
                enrichNode.forEach(n -> enrich.add(n.asText()));
            }
        }

        Map<String, Attribute> attributes = new LinkedHashMap<>();
        JsonNode attributesNode = root.get("attributes");
        if (attributesNode == null || !attributesNode.isObject() || attributesNode.isEmpty()) {
            problems.add("attributes must map at least one attribute name to its type");
        } else {
            attributesNode.fields().forEachRemaining(field -> {
                String name = field.getKey();
                if (!NAME.matcher(name).matches()) {
                    problems.add("attribute '" + name + "': name must start with a letter or '_' and hold only letters, digits and '_'");
                    return;
                }
                if (name.equals(keyField)) {
                    problems.add("attribute '" + name + "': it is the key field, which is the row key, not an attribute");
                    return;
                }
                Optional<AttributeType> type = typeOf(field.getValue().asText());
                if (type.isEmpty()) {
                    problems.add("attribute '" + name + "': unknown type '" + field.getValue().asText() + "' (one of "
                            + Arrays.stream(AttributeType.values()).map(AttributeType::schemaName).collect(Collectors.joining(", ")) + ")");
                    return;
                }
                attributes.put(name, new Attribute(name, type.get(), enrich.contains(name)));
            });
        }
        for (String name : enrich) {
            if (attributesNode != null && attributesNode.isObject() && !attributesNode.has(name)) {
                problems.add("enrich: '" + name + "' is not a declared attribute");
            }
        }
        if (!problems.isEmpty()) {
            throw new SchemaException(source, problems);
        }
        return new ProfileSchema(keyField, family, maxValueBytes, attributes);
    }

    private static String text(JsonNode root, String field, String defaultValue, List<String> problems) {
        JsonNode node = root.get(field);
        if (node == null) {
            return defaultValue;
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            problems.add(field + " must be a non-empty string");
            return defaultValue;
        }
        return node.textValue();
    }

    private static Optional<AttributeType> typeOf(String name) {
        try {
            return Optional.of(AttributeType.valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public String keyField() {
        return keyField;
    }

    public String family() {
        return family;
    }

    public byte[] familyBytes() {
        return family.getBytes(StandardCharsets.UTF_8);
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    /** Attributes in declaration order. */
    public Map<String, Attribute> attributes() {
        return attributes;
    }

    public Optional<Attribute> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    public List<Attribute> enrichAttributes() {
        return enrichAttributes;
    }

    /** The schema as YAML: what {@code profiles init} stores with the table. */
    public String toYaml() {
        return yaml;
    }

    private String render() {
        ObjectNode root = YAML.createObjectNode();
        root.put("keyField", keyField);
        root.put("family", family);
        root.put("maxValueBytes", maxValueBytes);
        ObjectNode attrs = root.putObject("attributes");
        attributes.values().forEach(a -> attrs.put(a.name(), a.type().schemaName()));
        root.putArray("enrich").addAll(enrichAttributes().stream().map(a -> (JsonNode) YAML.getNodeFactory().textNode(a.name())).toList());
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProfileSchema other && yaml.equals(other.yaml);
    }

    @Override
    public int hashCode() {
        return yaml.hashCode();
    }

    @Override
    public String toString() {
        return "ProfileSchema" + attributes.values().stream().map(a -> a.name() + ":" + a.type().schemaName())
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
