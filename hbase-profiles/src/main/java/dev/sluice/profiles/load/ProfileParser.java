package dev.sluice.profiles.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.schema.Attribute;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one input line into a {@link Profile} or a rejection reason. Every line is parsed on its own,
 * so a malformed line (an open quote, broken JSON) never affects the next one; the price is that a
 * CSV field cannot span lines.
 *
 * <p>Rules: the key is required and non-empty; an empty CSV cell or a JSON null leaves the attribute
 * absent; a value must parse as its attribute's type and fit {@code maxValueBytes}; a JSON field the
 * schema does not declare rejects the line (it would otherwise be lost silently).
 */
final class ProfileParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setTrim(false).build();

    /** A parsed line: exactly one of profile and reason is set. */
    record Parsed(Profile profile, String reason) {
        static Parsed ok(Profile profile) {
            return new Parsed(profile, null);
        }

        static Parsed rejected(String reason) {
            return new Parsed(null, reason);
        }
    }

    private final ProfileSchema schema;
    private final LoadFormat format;
    private List<String> header;
    private int keyColumn = -1;

    ProfileParser(ProfileSchema schema, LoadFormat format) {
        this.schema = schema;
        this.format = format;
    }

    /** Whether this format starts with a header line, which must be given to {@link #readHeader}. */
    boolean hasHeader() {
        return format == LoadFormat.CSV;
    }

    /**
     * Reads the CSV header.
     *
     * @throws IllegalArgumentException naming the unknown columns or the missing key column: a bad
     *     header spoils every line, so the whole load stops before writing anything
     */
    void readHeader(String line) {
        List<String> columns = parseCsv(line).stream().map(String::trim).toList();
        List<String> problems = new ArrayList<>();
        keyColumn = columns.indexOf(schema.keyField());
        if (keyColumn < 0) {
            problems.add("no '" + schema.keyField() + "' column (the schema's keyField)");
        }
        for (String column : columns) {
            if (!column.equals(schema.keyField()) && schema.attribute(column).isEmpty()) {
                problems.add("column '" + column + "' is not an attribute of the schema");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("line 1 (header): " + String.join("; ", problems)
                    + "; attributes: " + String.join(", ", schema.attributes().keySet()));
        }
        header = columns;
    }

    Parsed parse(String line) {
        return format == LoadFormat.CSV ? parseCsvLine(line) : parseJsonLine(line);
    }

    private Parsed parseCsvLine(String line) {
        List<String> cells;
        try {
            cells = parseCsv(line);
        } catch (IllegalArgumentException e) {
            return Parsed.rejected("malformed CSV: " + e.getMessage());
        }
        if (cells.size() != header.size()) {
            return Parsed.rejected("expected " + header.size() + " fields, found " + cells.size());
        }
        String key = cells.get(keyColumn).trim();
        if (key.isEmpty()) {
            return Parsed.rejected("empty key '" + schema.keyField() + "'");
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < cells.size(); i++) {
            if (i == keyColumn || cells.get(i).isEmpty()) {
                continue;
            }
            Attribute attribute = schema.attribute(header.get(i)).orElseThrow();
            String problem = convert(attribute, cells.get(i), attributes);
            if (problem != null) {
                return Parsed.rejected(problem);
            }
        }
        return Parsed.ok(new Profile(key, attributes));
    }

    private String convert(Attribute attribute, String text, Map<String, Object> into) {
        Object value;
        try {
            value = attribute.type().parse(text);
        } catch (IllegalArgumentException e) {
            return "attribute '" + attribute.name() + "': '" + cut(text, 40) + "' is not a " + attribute.type().schemaName()
                    + (e.getMessage() == null || e.getMessage().startsWith("For input") ? "" : " (" + e.getMessage() + ")");
        }
        return put(attribute, value, into);
    }

    private String put(Attribute attribute, Object value, Map<String, Object> into) {
        int size = attribute.type().encode(value).length;
        if (size > schema.maxValueBytes()) {
            return "attribute '" + attribute.name() + "': value of " + size + " bytes exceeds maxValueBytes " + schema.maxValueBytes();
        }
        into.put(attribute.name(), value);
        return null;
    }

    private Parsed parseJsonLine(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return Parsed.rejected("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return Parsed.rejected("expected a JSON object");
        }
        JsonNode keyNode = node.get(schema.keyField());
        if (keyNode == null || keyNode.isNull()) {
            return Parsed.rejected("missing key '" + schema.keyField() + "'");
        }
        if (!keyNode.isTextual() && !keyNode.isIntegralNumber()) {
            return Parsed.rejected("key '" + schema.keyField() + "' must be a string");
        }
        String key = keyNode.asText().trim();
        if (key.isEmpty()) {
            return Parsed.rejected("empty key '" + schema.keyField() + "'");
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(schema.keyField()) || field.getValue().isNull()) {
                continue;
            }
            Attribute attribute = schema.attribute(field.getKey()).orElse(null);
            if (attribute == null) {
                return Parsed.rejected("unknown attribute '" + field.getKey() + "'");
            }
            Object value;
            try {
                value = attribute.type().fromJson(field.getValue());
            } catch (IllegalArgumentException e) {
                return Parsed.rejected("attribute '" + attribute.name() + "': " + e.getMessage());
            }
            String problem = put(attribute, value, attributes);
            if (problem != null) {
                return Parsed.rejected(problem);
            }
        }
        return Parsed.ok(new Profile(key, attributes));
    }

    /**
     * Splits one CSV line. A line without a quote character has no escaping to undo, so splitting at
     * commas is exact (and ten times cheaper than a parser per line); quoted lines go to Commons CSV.
     */
    static List<String> parseCsv(String line) {
        if (line.indexOf('"') < 0) {
            List<String> cells = new ArrayList<>(16);
            int start = 0;
            int comma;
            while ((comma = line.indexOf(',', start)) >= 0) {
                cells.add(line.substring(start, comma));
                start = comma + 1;
            }
            cells.add(line.substring(start));
            return cells;
        }
        try (CSVParser parser = CSVParser.parse(line, CSV)) {
            List<CSVRecord> records = parser.getRecords();
            if (records.size() != 1) {
                throw new IllegalArgumentException(records.isEmpty() ? "empty line" : "more than one record on the line");
            }
            List<String> cells = new ArrayList<>(records.get(0).size());
            records.get(0).forEach(cells::add);
            return cells;
        } catch (IOException | UncheckedIOException e) {
            String message = e.getMessage() == null ? "unreadable" : e.getMessage();
            throw new IllegalArgumentException(message.contains("EOF") ? "unterminated quoted field" : message, e);
        }
    }

    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    static int byteLength(String line) {
        return line.getBytes(StandardCharsets.UTF_8).length + 1;
    }
}
