package dev.sluice.profiles.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The type of a profile attribute: how it is parsed from text and JSON, and how it is stored in its
 * HBase cell. Fixed-width types use HBase's {@code Bytes} encodings (big-endian), so the HBase shell
 * and other HBase clients read them as usual.
 *
 * <p>Java representation: STRING {@link String}, LONG {@link Long}, DOUBLE {@link Double},
 * BOOLEAN {@link Boolean}, TIMESTAMP {@link Instant} (stored as epoch milliseconds).
 */
public enum AttributeType {
    STRING {
        @Override
        public Object parse(String text) {
            return text;
        }

        @Override
        Object fromJsonValue(JsonNode node) {
            return node.isTextual() ? node.textValue() : null;
        }

        @Override
        public byte[] encode(Object value) {
            return ((String) value).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Object decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public JsonNode toJson(Object value) {
            return TextNode.valueOf((String) value);
        }
    },
    LONG {
        @Override
        public Object parse(String text) {
            return Long.parseLong(text.trim());
        }

        @Override
        Object fromJsonValue(JsonNode node) {
            return node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : null;
        }

        @Override
        public byte[] encode(Object value) {
            return ByteBuffer.allocate(Long.BYTES).putLong((Long) value).array();
        }

        @Override
        public Object decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong();
        }

        @Override
        public JsonNode toJson(Object value) {
            return LongNode.valueOf((Long) value);
        }
    },
    DOUBLE {
        @Override
        public Object parse(String text) {
            double value = Double.parseDouble(text.trim());
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("not a finite number");
            }
            return value;
        }

        @Override
        Object fromJsonValue(JsonNode node) {
            return node.isNumber() ? node.doubleValue() : null;
        }

        @Override
        public byte[] encode(Object value) {
            return ByteBuffer.allocate(Double.BYTES).putDouble((Double) value).array();
        }

        @Override
        public Object decode(byte[] bytes) {
            return ByteBuffer.wrap(bytes).getDouble();
        }

        @Override
        public JsonNode toJson(Object value) {
            return DoubleNode.valueOf((Double) value);
        }
    },
    BOOLEAN {
        @Override
        public Object parse(String text) {
            String normalized = text.trim().toLowerCase(Locale.ROOT);
            return switch (normalized) {
                case "true", "yes", "1" -> Boolean.TRUE;
                case "false", "no", "0" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("not a boolean (true/false, yes/no, 1/0)");
            };
        }

        @Override
        Object fromJsonValue(JsonNode node) {
            return node.isBoolean() ? node.booleanValue() : null;
        }

        @Override
        public byte[] encode(Object value) {
            return new byte[] {(byte) ((Boolean) value ? -1 : 0)}; // HBase Bytes.toBytes(boolean)
        }

        @Override
        public Object decode(byte[] bytes) {
            return bytes.length > 0 && bytes[0] != 0;
        }

        @Override
        public JsonNode toJson(Object value) {
            return BooleanNode.valueOf((Boolean) value);
        }
    },
    TIMESTAMP {
        @Override
        public Object parse(String text) {
            String trimmed = text.trim();
            if (!trimmed.isEmpty() && trimmed.chars().allMatch(c -> Character.isDigit(c) || c == '-')) {
                return Instant.ofEpochMilli(Long.parseLong(trimmed));
            }
            try {
                return Instant.parse(trimmed);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 instant or epoch milliseconds");
            }
        }

        @Override
        Object fromJsonValue(JsonNode node) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return Instant.ofEpochMilli(node.longValue());
            }
            return node.isTextual() ? parse(node.textValue()) : null;
        }

        @Override
        public byte[] encode(Object value) {
            return ByteBuffer.allocate(Long.BYTES).putLong(((Instant) value).toEpochMilli()).array();
        }

        @Override
        public Object decode(byte[] bytes) {
            return Instant.ofEpochMilli(ByteBuffer.wrap(bytes).getLong());
        }

        @Override
        public JsonNode toJson(Object value) {
            return TextNode.valueOf(value.toString());
        }
    };

    /**
     * Parses the text form (a CSV cell).
     *
     * @throws IllegalArgumentException with a reason when the text is not of this type
     */
    public abstract Object parse(String text);

    /** The JSON value as this type, or null when its JSON type does not fit. */
    abstract Object fromJsonValue(JsonNode node);

    /**
     * Converts a JSON value (a JSON Lines field, a profile update).
     *
     * @throws IllegalArgumentException when the JSON value is not of this type
     */
    public Object fromJson(JsonNode node) {
        Object value;
        try {
            value = fromJsonValue(node);
        } catch (IllegalArgumentException e) {
            value = null;
        }
        if (value == null) {
            throw new IllegalArgumentException("expected " + jsonName() + ", got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return value;
    }

    public abstract byte[] encode(Object value);

    public abstract Object decode(byte[] bytes);

    public abstract JsonNode toJson(Object value);

    /** The lower-case name used in schema files. */
    public String schemaName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private String jsonName() {
        return switch (this) {
            case STRING -> "a string";
            case LONG -> "an integer";
            case DOUBLE -> "a number";
            case BOOLEAN -> "a boolean";
            case TIMESTAMP -> "an ISO-8601 string or epoch milliseconds";
        };
    }
}
