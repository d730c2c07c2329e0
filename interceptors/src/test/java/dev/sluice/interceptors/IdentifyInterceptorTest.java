package dev.sluice.interceptors;

import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.EventIds;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentifyInterceptorTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private final EventCodec codec = new EventCodec();

    private static IdentifyInterceptor interceptor(String keyField, String timeField, String idField) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        IdentifyInterceptor identify = new IdentifyInterceptor(FieldPath.parse(keyField),
                timeField == null ? null : FieldPath.parse(timeField), idField == null ? null : FieldPath.parse(idField),
                "key", clock, new EventIds(clock, new SplittableRandom(3)), new InterceptorCounters("identify-test"));
        identify.initialize();
        return identify;
    }

    @Test
    void wrapsTheBodyInAnEnvelopeAndSetsTheKeyHeader() throws Exception {
        Event event = interceptor("card.id", "ts", null).intercept(EventBuilder.withBody(
                "{\"card\":{\"id\":\"c-9\"},\"ts\":\"2026-11-21T11:59:00Z\",\"amount\":5}", StandardCharsets.UTF_8));

        dev.sluice.common.event.Event envelope = codec.decode(event.getBody());
        assertThat(envelope.key()).isEqualTo("c-9");
        assertThat(envelope.eventTime()).isEqualTo(Instant.parse("2026-11-21T11:59:00Z"));
        assertThat(envelope.ingestTime()).isEqualTo(NOW);
        assertThat(envelope.id()).hasSize(36);
        assertThat(envelope.body().path("amount").asInt()).isEqualTo(5);
        assertThat(event.getHeaders()).containsEntry("key", "c-9").containsEntry(Routing.ROUTE_HEADER, Routing.ROUTE_EVENTS);
    }

    @Test
    void keepsAProducerIdAndUsesIngestTimeWithoutAnEventTime() throws Exception {
        Event event = interceptor("card_id", "ts", "txn_id").intercept(EventBuilder.withBody(
                "{\"card_id\":42,\"txn_id\":\"t-1\"}", StandardCharsets.UTF_8));

        dev.sluice.common.event.Event envelope = codec.decode(event.getBody());
        assertThat(envelope.id()).isEqualTo("t-1");
        assertThat(envelope.key()).isEqualTo("42");
        assertThat(envelope.eventTime()).isEqualTo(NOW);
    }

    @Test
    void deadLettersEventsWithoutAUsableKeyOrTime() {
        IdentifyInterceptor identify = interceptor("card_id", "ts", null);
        assertThat(reason(identify, "{\"amount\":1}")).isEqualTo("MISSING_FIELD");
        assertThat(reason(identify, "{\"card_id\":\"  \"}")).isEqualTo("EMPTY_FIELD");
        assertThat(reason(identify, "{\"card_id\":{\"x\":1}}")).isEqualTo("WRONG_TYPE");
        assertThat(reason(identify, "{\"card_id\":\"c\",\"ts\":\"yesterday\"}")).isEqualTo("WRONG_TYPE");
        assertThat(reason(identify, "not json")).isEqualTo("NOT_JSON");
        assertThat(identify.count(InterceptorCounters.DEAD_LETTERED)).isEqualTo(5);
    }

    @Test
    void leavesAlreadyDeadLetteredEventsUntouched() {
        Event event = EventBuilder.withBody("garbage", StandardCharsets.UTF_8);
        Routing.deadLetter(event, "validate", "NOT_JSON", null, "not valid JSON");

        interceptor("card_id", null, null).intercept(event);

        assertThat(event.getHeaders()).containsEntry(Routing.ERROR_STAGE_HEADER, "validate");
        assertThat(new String(event.getBody(), StandardCharsets.UTF_8)).isEqualTo("garbage");
    }

    @Test
    void requiresTheKeyFieldAtConfigureTime() {
        assertThatThrownBy(() -> new IdentifyInterceptor.Builder().configure(new Context(Map.of())))
                .hasMessage("identify interceptor: 'keyField' is required");
    }

    private static String reason(IdentifyInterceptor identify, String body) {
        return identify.intercept(EventBuilder.withBody(body, StandardCharsets.UTF_8)).getHeaders().get(Routing.ERROR_REASON_HEADER);
    }
}
