package dev.sluice.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * <p>{@link #decodeRaw} makes the same checks without building the body, for code that copies it
 * through unchanged ({@link RawEvent}); both decode in one streaming pass.
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
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator generator = mapper.getFactory().createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringField(FIELD_ID, event.id());
            generator.writeStringField(FIELD_KEY, event.key());
            generator.writeStringField(FIELD_EVENT_TIME, IsoInstants.format(event.eventTime()));
            generator.writeStringField(FIELD_INGEST_TIME, IsoInstants.format(event.ingestTime()));
            generator.writeFieldName(FIELD_BODY);
            generator.writeTree(event.body());
            if (event.profile() != null) {
                generator.writeFieldName(FIELD_PROFILE);
                generator.writeTree(event.profile());
            }
            generator.writeEndObject();
        } catch (IOException e) {
            // A tree always writes; reaching this is a bug, not bad input.
            throw new IllegalStateException("cannot encode event " + event.id(), e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes one record value.
     *
     * @param bytes the record value, may be {@code null} (a tombstone is not an event)
     * @throws MalformedEventException if the bytes are not a valid envelope; never for valid input
     */
    public Event decode(byte[] bytes) throws MalformedEventException {
        Envelope envelope = scan(bytes, true);
        return new Event(envelope.id, envelope.key, envelope.eventTime, envelope.ingestTime, envelope.body, envelope.profile);
    }

    /**
     * Decodes one record value with the same checks and failures as {@link #decode}, without
     * building the body (nor reading a profile it may already carry).
     */
    public RawEvent decodeRaw(byte[] bytes) throws MalformedEventException {
        Envelope envelope = scan(bytes, false);
        return new RawEvent(envelope.id, envelope.key, envelope.eventTime, envelope.ingestTime, bytes,
                envelope.bodyStart, envelope.bodyEnd, envelope.eventTimeText, envelope.ingestTimeText);
    }

    /**
     * Encodes a raw event with a profile, as {@link #encode(Event)} encodes the equivalent event:
     * the same fields and times, the body as its producer wrote it.
     *
     * @param profileJson the profile attributes as the bytes of a JSON object, or null for none
     */
    public byte[] encode(RawEvent event, byte[] profileJson) {
        return profileJson == null ? encode(event, null, 0, 0) : encode(event, profileJson, 0, profileJson.length);
    }

    /**
     * As {@link #encode(RawEvent, byte[])}, with the profile a slice of a larger array (a cache
     * entry), copied without an intermediate array or string.
     *
     * @param profileJson holds the profile attributes as a JSON object at {@code [offset, offset + length)}, or null for none
     */
    public byte[] encode(RawEvent event, byte[] profileJson, int offset, int length) {
        // Assembled as bytes, not through a JsonGenerator: per event, the generator's creation, its buffer
        // flush and the growing output builder cost more than the copying (JFR of the consumer). Strings are
        // escaped by Jackson's own encoder, so the bytes are the ones the generator writes (EventCodecTest).
        JsonStringEncoder strings = JsonStringEncoder.getInstance();
        byte[] id = strings.quoteAsUTF8(event.id());
        byte[] key = strings.quoteAsUTF8(event.key());
        // Times already in Instant.toString's form are copied: formatting them again was half of this method's JFR samples.
        String eventTime = event.eventTimeText() != null ? event.eventTimeText() : IsoInstants.format(event.eventTime());
        String ingestTime = event.ingestTimeText() != null ? event.ingestTimeText() : IsoInstants.format(event.ingestTime());
        int bodyLength = event.bodyEnd() - event.bodyStart();
        int size = ID_PREFIX.length + id.length + KEY_PREFIX.length + key.length + EVENT_TIME_PREFIX.length + eventTime.length()
                + INGEST_TIME_PREFIX.length + ingestTime.length() + BODY_PREFIX.length + bodyLength
                + (profileJson == null ? 0 : PROFILE_PREFIX.length + length) + 1;
        byte[] out = new byte[size];
        int at = put(out, 0, ID_PREFIX);
        at = put(out, at, id);
        at = put(out, at, KEY_PREFIX);
        at = put(out, at, key);
        at = put(out, at, EVENT_TIME_PREFIX);
        at = putAscii(out, at, eventTime);
        at = put(out, at, INGEST_TIME_PREFIX);
        at = putAscii(out, at, ingestTime);
        at = put(out, at, BODY_PREFIX);
        System.arraycopy(event.source(), event.bodyStart(), out, at, bodyLength);
        at += bodyLength;
        if (profileJson != null) {
            at = put(out, at, PROFILE_PREFIX);
            System.arraycopy(profileJson, offset, out, at, length);
            at += length;
        }
        out[at] = '}';
        return out;
    }

    // The envelope's fixed parts, in the order and form Jackson's generator writes them.
    private static final byte[] ID_PREFIX = ascii("{\"" + FIELD_ID + "\":\"");
    private static final byte[] KEY_PREFIX = ascii("\",\"" + FIELD_KEY + "\":\"");
    private static final byte[] EVENT_TIME_PREFIX = ascii("\",\"" + FIELD_EVENT_TIME + "\":\"");
    private static final byte[] INGEST_TIME_PREFIX = ascii("\",\"" + FIELD_INGEST_TIME + "\":\"");
    private static final byte[] BODY_PREFIX = ascii("\",\"" + FIELD_BODY + "\":");
    private static final byte[] PROFILE_PREFIX = ascii(",\"" + FIELD_PROFILE + "\":");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** An ISO instant: ASCII only, nothing to escape. */
    private static int putAscii(byte[] out, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out[at + i] = (byte) ascii.charAt(i);
        }
        return at + ascii.length();
    }

    /** What one pass over the envelope found; checked in {@link #scan} once the whole object is read. */
    private static final class Envelope {
        String id;
        String key;
        Instant eventTime;
        Instant ingestTime;
        // The times' texts when Instant.toString writes them back unchanged, else null.
        String eventTimeText;
        String ingestTimeText;
        ObjectNode body;
        ObjectNode profile;
        int bodyStart;
        int bodyEnd;
        JsonToken bodyToken;
        JsonToken profileToken;
        // The four required top-level scalars, as found (null if absent); fields, not a map: this runs per event.
        Scalar idValue;
        Scalar keyValue;
        Scalar eventTimeValue;
        Scalar ingestTimeValue;

        void put(String field, Scalar value) {
            switch (field) {
                case FIELD_ID -> idValue = value;
                case FIELD_KEY -> keyValue = value;
                case FIELD_EVENT_TIME -> eventTimeValue = value;
                default -> ingestTimeValue = value;
            }
        }

        Scalar get(String field) {
            return switch (field) {
                case FIELD_ID -> idValue;
                case FIELD_KEY -> keyValue;
                case FIELD_EVENT_TIME -> eventTimeValue;
                default -> ingestTimeValue;
            };
        }
    }

    /** A top-level value of the envelope other than body and profile: its token, text and, if integral, its long. */
    private record Scalar(JsonToken token, String text, boolean fitsLong, long longValue) {
    }

    /**
     * One streaming pass over the record. The whole object is read before any field is checked, so
     * broken JSON anywhere is reported as such, as a tree parse would; the field checks then run in
     * a fixed order. Unknown top-level fields are skipped; a repeated field counts its last value.
     */
    private Envelope scan(byte[] bytes, boolean trees) throws MalformedEventException {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedEventException(MalformedEventException.Reason.NOT_JSON, null, "empty record");
        }
        if (bytes.length > maxEventBytes) {
            throw new MalformedEventException(MalformedEventException.Reason.TOO_LARGE, null,
                    "event of " + bytes.length + " bytes exceeds the limit of " + maxEventBytes + " bytes");
        }
        Envelope envelope = new Envelope();
        JsonToken root;
        try (JsonParser parser = mapper.getFactory().createParser(bytes)) {
            root = parser.nextToken();
            if (root != JsonToken.START_OBJECT) {
                parser.skipChildren(); // an unfinished array is broken JSON, reported as such
            } else {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals(FIELD_BODY)) {
                        envelope.bodyToken = value;
                        if (value == JsonToken.START_OBJECT && trees) {
                            envelope.body = mapper.readTree(parser);
                        } else {
                            envelope.bodyStart = (int) parser.currentTokenLocation().getByteOffset();
                            parser.skipChildren();
                            envelope.bodyEnd = (int) parser.currentTokenLocation().getByteOffset() + 1;
                        }
                    } else if (field.equals(FIELD_PROFILE)) {
                        envelope.profileToken = value;
                        if (value == JsonToken.START_OBJECT && trees) {
                            envelope.profile = mapper.readTree(parser);
                        } else {
                            parser.skipChildren();
                        }
                    } else if (field.equals(FIELD_ID) || field.equals(FIELD_KEY) || field.equals(FIELD_EVENT_TIME)
                            || field.equals(FIELD_INGEST_TIME)) {
                        boolean integral = value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
                        envelope.put(field, new Scalar(value, value == JsonToken.VALUE_STRING ? parser.getText() : null,
                                integral, integral ? parser.getLongValue() : 0));
                        parser.skipChildren();
                    } else {
                        parser.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            throw new MalformedEventException(MalformedEventException.Reason.NOT_JSON, null,
                    "not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root != JsonToken.START_OBJECT) {
            throw new MalformedEventException(MalformedEventException.Reason.NOT_AN_OBJECT, null,
                    "expected a JSON object, got " + describe(root));
        }
        if (envelope.bodyToken == null || envelope.bodyToken == JsonToken.VALUE_NULL) {
            throw missing(FIELD_BODY);
        }
        if (envelope.bodyToken != JsonToken.START_OBJECT) {
            throw wrongType(FIELD_BODY, "an object", envelope.bodyToken);
        }
        if (envelope.profileToken != null && envelope.profileToken != JsonToken.VALUE_NULL
                && envelope.profileToken != JsonToken.START_OBJECT) {
            throw wrongType(FIELD_PROFILE, "an object", envelope.profileToken);
        }
        envelope.id = requiredText(envelope, FIELD_ID);
        envelope.key = requiredText(envelope, FIELD_KEY);
        envelope.eventTime = requiredInstant(envelope, FIELD_EVENT_TIME);
        envelope.ingestTime = requiredInstant(envelope, FIELD_INGEST_TIME);
        return envelope;
    }

    private static Scalar required(Envelope envelope, String field) throws MalformedEventException {
        Scalar value = envelope.get(field);
        if (value == null || value.token() == JsonToken.VALUE_NULL) {
            throw missing(field);
        }
        return value;
    }

    private static String requiredText(Envelope envelope, String field) throws MalformedEventException {
        Scalar value = required(envelope, field);
        if (value.token() != JsonToken.VALUE_STRING) {
            throw wrongType(field, "a string", value.token());
        }
        if (value.text().isBlank()) {
            throw new MalformedEventException(MalformedEventException.Reason.EMPTY_FIELD, field,
                    "field '" + field + "' must not be empty");
        }
        return value.text();
    }

    private static Instant requiredInstant(Envelope envelope, String field) throws MalformedEventException {
        Scalar value = required(envelope, field);
        if (value.fitsLong()) {
            return Instant.ofEpochMilli(value.longValue());
        }
        if (value.token() == JsonToken.VALUE_STRING) {
            Instant canonical = IsoInstants.parseCanonical(value.text());
            if (canonical != null) {
                if (IsoInstants.formatsBack(value.text(), canonical)) {
                    if (field.equals(FIELD_EVENT_TIME)) {
                        envelope.eventTimeText = value.text();
                    } else {
                        envelope.ingestTimeText = value.text();
                    }
                }
                return canonical;
            }
            try {
                return IsoInstants.parse(value.text());
            } catch (DateTimeParseException e) {
                throw new MalformedEventException(MalformedEventException.Reason.WRONG_TYPE, field,
                        "field '" + field + "' is not an ISO-8601 instant: '" + value.text() + "'", e);
            }
        }
        throw wrongType(field, "an ISO-8601 string or epoch milliseconds", value.token());
    }

    private static MalformedEventException missing(String field) {
        return new MalformedEventException(MalformedEventException.Reason.MISSING_FIELD, field,
                "required field '" + field + "' is missing");
    }

    private static MalformedEventException wrongType(String field, String expected, JsonToken actual) {
        return new MalformedEventException(MalformedEventException.Reason.WRONG_TYPE, field,
                "field '" + field + "' must be " + expected + ", got " + describe(actual));
    }

    /** A value's JSON type as a reader would name it. */
    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
