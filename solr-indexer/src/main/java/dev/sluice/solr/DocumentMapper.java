package dev.sluice.solr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import org.apache.solr.common.SolrInputDocument;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns a record of a Sluice topic into a Solr document of the Sluice configset.
 *
 * <p>{@link Format#EVENT}: an enriched event envelope ({@code events.enriched}); {@code id},
 * {@code key}, {@code event_time}, {@code ingest_time}, then {@code body} and {@code profile}
 * flattened: {@code body.merchant.country = "FR"} becomes {@code body_merchant_country_s}. The
 * suffix says the JSON type ({@code _s} string, {@code _d} number, {@code _b} boolean, {@code _ss}
 * / {@code _ds} arrays), so an attribute keeps one Solr type however a producer formats numbers.
 *
 * <p>{@link Format#ALERT}: an alert of the partitioned consumer ({@code alerts}); {@code id}
 * ({@code <eventId>:<rule>}), {@code key}, {@code rule}, {@code severity}, {@code event_id},
 * {@code event_time}, {@code detected_at}, {@code instance} and the values the rule read as
 * {@code value_<path>_<suffix>}.
 *
 * <p>A record that cannot become a valid document is a {@link Rejection}, never a partial
 * document. Thread-safe.
 */
public final class DocumentMapper {

    /** What the records of the sink's channel are. */
    public enum Format { EVENT, ALERT }

    /** Why a record cannot be indexed. */
    public static final class Rejection extends Exception {
        private final String reason;
        private final String field;

        Rejection(String reason, String field, String message) {
            super(message);
            this.reason = reason;
            this.field = field;
        }

        public String reason() {
            return reason;
        }

        public String field() {
            return field;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEPTH = 8;

    private final Format format;
    private final int maxFieldBytes;
    private final EventCodec codec;

    /**
     * @param maxFieldBytes the largest string value, in UTF-8 bytes, a document may carry; Lucene
     *     refuses terms over 32,766 bytes, and a larger value is a rejection naming the field
     */
    public DocumentMapper(Format format, int maxFieldBytes, int maxRecordBytes) {
        this.format = format;
        this.maxFieldBytes = maxFieldBytes;
        this.codec = new EventCodec(maxRecordBytes);
    }

    public SolrInputDocument toDocument(byte[] record) throws Rejection {
        return format == Format.EVENT ? event(record) : alert(record);
    }

    private SolrInputDocument event(byte[] record) throws Rejection {
        Event event;
        try {
            event = codec.decode(record);
        } catch (MalformedEventException e) {
            throw new Rejection(RejectedRecord.MALFORMED_EVENT, null, e.getMessage());
        }
        SolrInputDocument doc = new SolrInputDocument();
        addString(doc, "id", event.id());
        addString(doc, "key", event.key());
        doc.addField("event_time", Date.from(event.eventTime()));
        doc.addField("ingest_time", Date.from(event.ingestTime()));
        flatten(doc, "body", event.body(), 0);
        if (event.profile() != null) {
            flatten(doc, "profile", event.profile(), 0);
        }
        return doc;
    }

    private SolrInputDocument alert(byte[] record) throws Rejection {
        JsonNode root;
        try {
            root = JSON.readTree(record);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Rejection(RejectedRecord.MALFORMED_EVENT, null, "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejection(RejectedRecord.MALFORMED_EVENT, null, "not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Rejection(RejectedRecord.MALFORMED_EVENT, null, "an alert must be a JSON object");
        }
        SolrInputDocument doc = new SolrInputDocument();
        addString(doc, "id", requiredText(root, "id"));
        addString(doc, "key", requiredText(root, "key"));
        addString(doc, "rule", requiredText(root, "rule"));
        addString(doc, "event_id", requiredText(root, "eventId"));
        doc.addField("event_time", Date.from(instant(root, "eventTime", true)));
        if (root.hasNonNull("severity")) {
            addString(doc, "severity", root.get("severity").asText());
        }
        if (root.hasNonNull("detectedAt")) {
            doc.addField("detected_at", Date.from(instant(root, "detectedAt", false)));
        }
        if (root.hasNonNull("instance")) {
            addString(doc, "instance", root.get("instance").asText());
        }
        JsonNode values = root.path("values");
        if (values.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = values.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> value = fields.next();
                addValue(doc, "value_" + fieldName(value.getKey()), value.getValue(), 0);
            }
        }
        return doc;
    }

    private static String requiredText(JsonNode root, String field) throws Rejection {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new Rejection(RejectedRecord.MALFORMED_EVENT, field, "alert field '" + field + "' must be a non-blank string");
        }
        return node.asText();
    }

    private static Instant instant(JsonNode root, String field, boolean required) throws Rejection {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new Rejection(RejectedRecord.MALFORMED_EVENT, field, "alert field '" + field + "' is missing");
            }
            return null;
        }
        if (node.isIntegralNumber()) {
            return Instant.ofEpochMilli(node.asLong());
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw new Rejection(RejectedRecord.MALFORMED_EVENT, field, "alert field '" + field + "' is not an ISO-8601 instant: " + node.asText());
        }
    }

    private void flatten(SolrInputDocument doc, String prefix, ObjectNode object, int depth) throws Rejection {
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            addValue(doc, prefix + "_" + fieldName(field.getKey()), field.getValue(), depth);
        }
    }

    private void addValue(SolrInputDocument doc, String name, JsonNode value, int depth) throws Rejection {
        switch (value.getNodeType()) {
            case STRING -> addString(doc, name + "_s", value.asText());
            case NUMBER -> doc.addField(name + "_d", value.asDouble());
            case BOOLEAN -> doc.addField(name + "_b", value.asBoolean());
            case OBJECT -> {
                // Bounded: a hostile payload must not turn into thousands of fields.
                if (depth < MAX_DEPTH) {
                    flatten(doc, name, (ObjectNode) value, depth + 1);
                }
            }
            case ARRAY -> {
                for (JsonNode element : value) {
                    if (element.isNumber()) {
                        doc.addField(name + "_ds", element.asDouble());
                    } else if (element.isTextual() || element.isBoolean()) {
                        addString(doc, name + "_ss", element.asText());
                    }
                }
            }
            default -> {
                // null and missing values are not indexed
            }
        }
    }

    private void addString(SolrInputDocument doc, String name, String value) throws Rejection {
        // Cheap upper bound first: a UTF-8 char is at most 3 bytes for a Java char.
        if (value.length() * 3L > maxFieldBytes && value.getBytes(StandardCharsets.UTF_8).length > maxFieldBytes) {
            throw new Rejection(RejectedRecord.FIELD_TOO_LARGE, name, "field '" + name + "' has "
                    + value.getBytes(StandardCharsets.UTF_8).length + " bytes, more than maxFieldBytes=" + maxFieldBytes);
        }
        doc.addField(name, value);
    }

    /** A JSON name as a Solr field name: letters, digits and underscores only. */
    static String fieldName(String jsonName) {
        StringBuilder out = new StringBuilder(jsonName.length());
        for (int i = 0; i < jsonName.length(); i++) {
            char c = jsonName.charAt(i);
            out.append(Character.isLetterOrDigit(c) && c < 128 ? c : '_');
        }
        return out.toString();
    }
}
