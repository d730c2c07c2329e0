package dev.sluice.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Encodes and decodes {@link Event}s as UTF-8 JSON objects:
 *
 * <pre>{"id":"…","key":"card-42","eventTime":"2026-11-21T10:00:00.123Z","ingestTime":"…","body":{…},"profile":{…}}</pre>
 *
 * <p>{@code profile} is present once enrichment has added the entity's profile attributes.
 *
 * <p>Times are written as ISO-8601 UTC strings (readable with kcat or curl) and read either as
 * ISO-8601 strings or as epoch milliseconds, since producers outside Sluice often send numbers.
 * Unknown top-level fields are ignored, so older readers tolerate newer writers.
 *
 * <p>Every decoding failure is a {@link MalformedEventException} with a {@link
 * MalformedEventException.Reason}; no Jackson exception escapes. Instances are immutable and
 * thread-safe.
 */
public final class EventCodec {

    public static final String FIELD_ID = "id";
    public static final String FIELD_KEY = "key";
    public static final String FIELD_EVENT_TIME = "eventTime";
    public static final String FIELD_INGEST_TIME = "ingestTime";
    public static final String FIELD_BODY = "body";
    public static final String FIELD_PROFILE = "profile";

    /** Default upper bound of an encoded event: 1 MiB, Kafka's default max message size. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

    private final ObjectMapper mapper;
    private final int maxEventBytes;

    public EventCodec() {
        this(DEFAULT_MAX_EVENT_BYTES);
    }

    /** @param maxEventBytes largest encoded event accepted by {@link #decode}, at least 1 */
    public EventCodec(int maxEventBytes) {
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("maxEventBytes must be at least 1, was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.mapper = new ObjectMapper();
        // Bound nesting so a hostile body cannot exhaust the stack of the thread decoding it.
        mapper.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    /** The shared mapper, for code that builds event bodies. Do not reconfigure it. */
    public ObjectMapper mapper() {
        return mapper;
    }

    public byte[] encode(Event event) {
        ObjectNode node = mapper.createObjectNode();
        node.put(FIELD_ID, event.id());
        node.put(FIELD_KEY, event.key());
        node.put(FIELD_EVENT_TIME, IsoInstants.format(event.eventTime()));
        node.put(FIELD_INGEST_TIME, IsoInstants.format(event.ingestTime()));
        node.set(FIELD_BODY, event.body());
        if (event.profile() != null) {
            node.set(FIELD_PROFILE, event.profile());
        }
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // An ObjectNode tree always serializes; reaching this is a bug, not bad input.
            throw new IllegalStateException("cannot encode event " + event.id(), e);
        }
    }

    /**
     * Decodes one record value.
     *
     * @param bytes the record value, may be {@code null} (a tombstone is not an event)
     * @throws MalformedEventException if the bytes are not a valid envelope; never for valid input
     */
    public Event decode(byte[] bytes) throws MalformedEventException {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedEventException(MalformedEventException.Reason.NOT_JSON, null, "empty record");
        }
        if (bytes.length > maxEventBytes) {
            throw new MalformedEventException(MalformedEventException.Reason.TOO_LARGE, null,
                    "event of " + bytes.length + " bytes exceeds the limit of " + maxEventBytes + " bytes");
        }
        JsonNode root;
        try {
            root = mapper.readTree(bytes);
        } catch (IOException e) {
            throw new MalformedEventException(MalformedEventException.Reason.NOT_JSON, null,
                    "not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedEventException(MalformedEventException.Reason.NOT_AN_OBJECT, null,
                    "expected a JSON object, got " + (root == null ? "nothing" : describe(root.getNodeType())));
        }
        JsonNode body = required(root, FIELD_BODY);
        if (!body.isObject()) {
            throw wrongType(FIELD_BODY, "an object", body);
        }
        JsonNode profile = root.get(FIELD_PROFILE);
        if (profile != null && !profile.isNull() && !profile.isObject()) {
            throw wrongType(FIELD_PROFILE, "an object", profile);
        }
        return new Event(
                requiredText(root, FIELD_ID),
                requiredText(root, FIELD_KEY),
                requiredInstant(root, FIELD_EVENT_TIME),
                requiredInstant(root, FIELD_INGEST_TIME),
                (ObjectNode) body,
                profile == null || profile.isNull() ? null : (ObjectNode) profile);
    }

    private static JsonNode required(JsonNode root, String field) throws MalformedEventException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedEventException(MalformedEventException.Reason.MISSING_FIELD, field,
                    "required field '" + field + "' is missing");
        }
        return node;
    }

    private static String requiredText(JsonNode root, String field) throws MalformedEventException {
        JsonNode node = required(root, field);
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        String value = node.textValue();
        if (value.isBlank()) {
            throw new MalformedEventException(MalformedEventException.Reason.EMPTY_FIELD, field,
                    "field '" + field + "' must not be empty");
        }
        return value;
    }

    private static Instant requiredInstant(JsonNode root, String field) throws MalformedEventException {
        JsonNode node = required(root, field);
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        if (node.isTextual()) {
            try {
                return IsoInstants.parse(node.textValue());
            } catch (DateTimeParseException e) {
                throw new MalformedEventException(MalformedEventException.Reason.WRONG_TYPE, field,
                        "field '" + field + "' is not an ISO-8601 instant: '" + node.textValue() + "'", e);
            }
        }
        throw wrongType(field, "an ISO-8601 string or epoch milliseconds", node);
    }

    private static MalformedEventException wrongType(String field, String expected, JsonNode actual) {
        return new MalformedEventException(MalformedEventException.Reason.WRONG_TYPE, field,
                "field '" + field + "' must be " + expected + ", got " + describe(actual.getNodeType()));
    }

    private static String describe(JsonNodeType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
