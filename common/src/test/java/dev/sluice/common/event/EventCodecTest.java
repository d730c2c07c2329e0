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
