package dev.sluice.common.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.event.MalformedEventException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EventCodecTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void roundTripsAnEvent() throws Exception {
        ObjectNode body = codec.mapper().createObjectNode().put("amount", 12.5).put("merchant", "Café Ünter");
        body.putArray("tags").add("a").add("b");
        Event event = new Event("018f-id", "card-42", Instant.parse("2026-11-21T10:00:00.123Z"),
                Instant.parse("2026-11-21T10:00:01Z"), body);

        Event decoded = codec.decode(codec.encode(event));

        assertThat(decoded).isEqualTo(event);
    }

    @Test
    void roundTripsTheProfileThatEnrichmentAddsAndRejectsANonObjectOne() throws Exception {
        Event event = new Event("e1", "k", Instant.EPOCH, Instant.EPOCH, codec.mapper().createObjectNode().put("a", 1))
                .withProfile(codec.mapper().createObjectNode().put("segment", "gold"));

        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
        assertThat(catchThrowableOfType(MalformedEventException.class, () -> codec.decode(utf8(
                "{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,\"ingestTime\":2,\"body\":{},\"profile\":7}"))).field())
                .isEqualTo("profile");
    }

    @Test
    void writesTimesAsIsoStringsAndReadsEpochMillisToo() throws Exception {
        Event event = codec.decode(utf8(
                "{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1763719200000,\"ingestTime\":\"2025-11-21T10:00:00Z\",\"body\":{}}"));

        assertThat(event.eventTime()).isEqualTo(Instant.ofEpochMilli(1763719200000L));
        assertThat(new String(codec.encode(event), StandardCharsets.UTF_8))
                .contains("\"eventTime\":\"2025-11-21T10:00:00Z\"");
    }

    @Test
    void ignoresUnknownTopLevelFields() throws Exception {
        Event event = codec.decode(utf8(
                "{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,\"ingestTime\":2,\"body\":{},\"future\":true}"));
        assertThat(event.id()).isEqualTo("e1");
    }

    static Stream<Arguments> malformed() {
        String ok = "\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,\"ingestTime\":2";
        return Stream.of(
                Arguments.of("empty", new byte[0], Reason.NOT_JSON, null),
                Arguments.of("truncated JSON", utf8("{\"id\":"), Reason.NOT_JSON, null),
                Arguments.of("binary", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}, Reason.NOT_JSON, null),
                Arguments.of("array", utf8("[1,2]"), Reason.NOT_AN_OBJECT, null),
                Arguments.of("bare string", utf8("\"x\""), Reason.NOT_AN_OBJECT, null),
                Arguments.of("no body", utf8("{" + ok + "}"), Reason.MISSING_FIELD, "body"),
                Arguments.of("body not object", utf8("{" + ok + ",\"body\":[1]}"), Reason.WRONG_TYPE, "body"),
                Arguments.of("no key", utf8("{\"id\":\"e1\",\"eventTime\":1,\"ingestTime\":2,\"body\":{}}"), Reason.MISSING_FIELD, "key"),
                Arguments.of("null key", utf8("{\"id\":\"e1\",\"key\":null,\"eventTime\":1,\"ingestTime\":2,\"body\":{}}"), Reason.MISSING_FIELD, "key"),
                Arguments.of("blank key", utf8("{\"id\":\"e1\",\"key\":\"  \",\"eventTime\":1,\"ingestTime\":2,\"body\":{}}"), Reason.EMPTY_FIELD, "key"),
                Arguments.of("numeric id", utf8("{\"id\":7,\"key\":\"k\",\"eventTime\":1,\"ingestTime\":2,\"body\":{}}"), Reason.WRONG_TYPE, "id"),
                Arguments.of("bad time", utf8("{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":\"yesterday\",\"ingestTime\":2,\"body\":{}}"), Reason.WRONG_TYPE, "eventTime"),
                Arguments.of("boolean time", utf8("{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,\"ingestTime\":true,\"body\":{}}"), Reason.WRONG_TYPE, "ingestTime"),
                Arguments.of("deep nesting", utf8("{" + ok + ",\"body\":" + "{\"a\":".repeat(500) + "1" + "}".repeat(500) + "}"), Reason.NOT_JSON, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedInputWithATypedReasonAndField(String name, byte[] input, Reason reason, String field) {
        MalformedEventException e = catchThrowableOfType(MalformedEventException.class, () -> codec.decode(input));

        assertThat(e).as(name).isNotNull();
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).isNotBlank();
        MalformedEventException raw = catchThrowableOfType(MalformedEventException.class, () -> codec.decodeRaw(input));
        assertThat(raw).as("decodeRaw of " + name).isNotNull();
        assertThat(raw.reason()).isEqualTo(reason);
        assertThat(raw.field()).isEqualTo(field);
        assertThat(raw.getMessage()).isEqualTo(e.getMessage());
    }

    @Test
    void decodesRawWithTheSameFieldsAndTheBodyAsWritten() throws Exception {
        String body = "{ \"amount\" : 1.10, \"tags\": [\"a\", {\"b\": null}], \"big\": 123456789012345678901234567890 }";
        byte[] input = ("{\"body\": " + body + ", \"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,"
                + "\"ingestTime\":\"2026-11-21T10:00:00.5Z\",\"profile\":{\"old\":1}} trailing").getBytes(StandardCharsets.UTF_8);

        Event event = codec.decode(input);
        RawEvent raw = codec.decodeRaw(input);

        assertThat(raw.id()).isEqualTo(event.id());
        assertThat(raw.key()).isEqualTo(event.key());
        assertThat(raw.eventTime()).isEqualTo(event.eventTime());
        assertThat(raw.ingestTime()).isEqualTo(event.ingestTime());
        assertThat(raw.bodyJson()).isEqualTo(body);
        assertThat(codec.mapper().readTree(codec.encode(raw, null)))
                .isEqualTo(codec.mapper().readTree(codec.encode(new Event(event.id(), event.key(), event.eventTime(), event.ingestTime(),
                        event.body()))));
    }

    @ParameterizedTest
    @MethodSource("awkwardIdsAndKeys")
    void encodesARawEventToTheBytesTheTreeEncodingWrites(String id, String key) throws Exception {
        ObjectNode body = codec.mapper().createObjectNode().put("amount", 12.5).put("merchant", "Caf\u00e9 \"Z\"\n");
        body.putArray("tags").add("a").addNull();
        ObjectNode profile = codec.mapper().createObjectNode().put("segment", "gold").put("limit", 500L).put("vip", true);
        Event event = new Event(id, key, Instant.parse("2026-11-21T10:00:00.123456789Z"), Instant.parse("2026-11-21T10:00:01Z"), body);
        byte[] written = codec.encode(event);

        RawEvent raw = codec.decodeRaw(written);
        byte[] profileJson = codec.mapper().writeValueAsBytes(profile);
        byte[] slice = new byte[profileJson.length + 7];
        System.arraycopy(profileJson, 0, slice, 3, profileJson.length);
        byte[] rawEncoded = codec.encode(raw, null);
        byte[] rawEnriched = codec.encode(raw, slice, 3, profileJson.length);
        byte[] treeEnriched = codec.encode(event.withProfile(profile));

        assertThat(codec.mapper().readTree(rawEncoded)).isEqualTo(codec.mapper().readTree(written));
        assertThat(codec.mapper().readTree(rawEnriched)).isEqualTo(codec.mapper().readTree(treeEnriched));
        assertThat(codec.decode(rawEnriched).key()).isEqualTo(key);
        if ((id + key).codePoints().allMatch(Character::isBmpCodePoint)) {
            assertThat(new String(rawEncoded, StandardCharsets.UTF_8)).isEqualTo(new String(written, StandardCharsets.UTF_8));
            assertThat(new String(rawEnriched, StandardCharsets.UTF_8)).isEqualTo(new String(treeEnriched, StandardCharsets.UTF_8));
        } else {
            // Jackson's generator escapes a character beyond the BMP as a surrogate pair (\\uD83D\\uDE00); the raw
            // encoding writes its UTF-8 bytes. Both are the same JSON string.
            assertThat(new String(rawEncoded, StandardCharsets.UTF_8)).contains(key);
        }
    }

    @ParameterizedTest
    @MethodSource("timesAsWritten")
    void copiesATimeThroughOnlyWhenInstantToStringWritesItBack(String time, boolean copied) throws Exception {
        byte[] input = ("{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":" + time + ",\"ingestTime\":" + time + ",\"body\":{}}")
                .getBytes(StandardCharsets.UTF_8);

        RawEvent raw = codec.decodeRaw(input);
        Event event = codec.decode(input);

        assertThat(raw.eventTimeText() != null).as("copied " + time).isEqualTo(copied);
        assertThat(raw.ingestTimeText() != null).as("copied " + time).isEqualTo(copied);
        // The bytes the tree encoding writes, whether the time was copied or formatted.
        assertThat(new String(codec.encode(raw, null), StandardCharsets.UTF_8))
                .isEqualTo(new String(codec.encode(event), StandardCharsets.UTF_8))
                .contains("\"eventTime\":\"" + event.eventTime() + "\"");
    }

    static Stream<Arguments> timesAsWritten() {
        return Stream.of(Arguments.of("\"2026-11-21T10:00:00Z\"", true), Arguments.of("\"2026-11-21T10:00:00.123Z\"", true),
                Arguments.of("\"2026-11-21T10:00:00.120Z\"", true), Arguments.of("\"2026-11-21T10:00:00.123456Z\"", true),
                Arguments.of("\"2026-11-21T10:00:00.123456789Z\"", true), Arguments.of("\"2026-11-21T10:00:00.000Z\"", false),
                Arguments.of("\"2026-11-21T10:00:00.1Z\"", false), Arguments.of("\"2026-11-21T10:00:00.123000Z\"", false),
                Arguments.of("\"2026-11-21T10:00:00.100000000Z\"", false), Arguments.of("\"2026-11-21T24:00:00Z\"", false),
                Arguments.of("\"2026-11-21t10:00:00z\"", false), Arguments.of("\"2026-11-21T10:00:00+01:00\"", false),
                Arguments.of("1763719200123", false));
    }

    static Stream<Arguments> awkwardIdsAndKeys() {
        return Stream.of(Arguments.of("e-1", "card-1"), Arguments.of("quote\"back\\slash", "tab\there"),
                Arguments.of("\u00fcml\u00e4ut-\u20ac", "emoji-\ud83d\ude00"), Arguments.of("ctl\u0001\u001f", "new\nline/slash"));
    }

    @Test
    void rejectsAnEventLargerThanTheLimit() {
        EventCodec small = new EventCodec(64);
        byte[] big = utf8("{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,\"ingestTime\":2,\"body\":{\"p\":\"" + "x".repeat(100) + "\"}}");

        assertThatThrownBy(() -> small.decode(big))
                .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessageContaining("exceeds the limit of 64 bytes");
    }

    @Test
    void refusesToBuildAnEventWithoutId() {
        assertThatThrownBy(() -> new Event(" ", "k", Instant.EPOCH, Instant.EPOCH, codec.mapper().createObjectNode()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'id'");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
