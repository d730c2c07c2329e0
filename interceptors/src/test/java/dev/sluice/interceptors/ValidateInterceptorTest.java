package dev.sluice.interceptors;

import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.event.EventBuilder;
import org.apache.flume.interceptor.Interceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidateInterceptorTest {

    private static ValidateInterceptor interceptor(Map<String, String> settings) {
        ValidateInterceptor.Builder builder = new ValidateInterceptor.Builder();
        builder.configure(new Context(settings));
        ValidateInterceptor interceptor = (ValidateInterceptor) builder.build();
        interceptor.initialize();
        return interceptor;
    }

    private static Event event(String body) {
        return EventBuilder.withBody(body, StandardCharsets.UTF_8);
    }

    @Test
    void routesAValidEventToEventsAndCountsIt() {
        ValidateInterceptor validate = interceptor(Map.of("requiredFields", "card_id, merchant.id"));
        Event event = validate.intercept(event("{\"card_id\":\"c1\",\"merchant\":{\"id\":7}}"));

        assertThat(event.getHeaders()).containsEntry(Routing.ROUTE_HEADER, Routing.ROUTE_EVENTS)
                .doesNotContainKey(Routing.ERROR_REASON_HEADER);
        assertThat(validate.count(InterceptorCounters.ACCEPTED)).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON        | hello world                       | NOT_JSON      | ",
            "truncated       | {\"card_id\":\"c1\"                | NOT_JSON      | ",
            "array           | [1,2,3]                           | NOT_AN_OBJECT | ",
            "missing field   | {\"card_id\":\"c1\"}               | MISSING_FIELD | merchant.id",
            "null field      | {\"card_id\":null,\"merchant\":{\"id\":1}} | MISSING_FIELD | card_id"})
    void sendsAnInvalidEventToTheDeadLetterPathWithItsReason(String name, String body, String reason, String field) {
        ValidateInterceptor validate = interceptor(Map.of("requiredFields", "card_id,merchant.id"));
        Event event = validate.intercept(event(body));

        assertThat(event.getHeaders()).containsEntry(Routing.ROUTE_HEADER, Routing.ROUTE_DLQ)
                .containsEntry(Routing.ERROR_REASON_HEADER, reason)
                .containsEntry(Routing.ERROR_STAGE_HEADER, "validate")
                .containsKey(Routing.ERROR_MESSAGE_HEADER);
        if (field != null) {
            assertThat(event.getHeaders()).containsEntry(Routing.ERROR_FIELD_HEADER, field);
        }
        assertThat(new String(event.getBody(), StandardCharsets.UTF_8)).as("body kept as it came").isEqualTo(body);
        assertThat(validate.count(InterceptorCounters.DEAD_LETTERED)).isEqualTo(1);
    }

    @Test
    void deadLettersBinaryEmptyAndOversizedBodies() {
        ValidateInterceptor validate = interceptor(Map.of("maxBodyBytes", "32"));
        List<Event> events = validate.intercept(List.of(
                EventBuilder.withBody(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 7}),
                EventBuilder.withBody(new byte[0]),
                event("{\"padding\":\"" + "x".repeat(64) + "\"}"),
                event("{\"ok\":1}")));

        assertThat(events).extracting(e -> e.getHeaders().get(Routing.ERROR_REASON_HEADER))
                .containsExactly("NOT_JSON", "NOT_JSON", "TOO_LARGE", null);
        assertThat(validate.count(InterceptorCounters.RECEIVED)).isEqualTo(4);
    }

    @Test
    void failsAtConfigureTimeNamingTheKey() {
        Interceptor.Builder builder = new ValidateInterceptor.Builder();
        assertThatThrownBy(() -> builder.configure(new Context(Map.of("maxBodyBytes", "lots"))))
                .hasMessage("validate interceptor: 'maxBodyBytes' must be a positive integer, was 'lots'");
        assertThatThrownBy(() -> builder.configure(new Context(Map.of("requiredFields", "card..id"))))
                .hasMessageContaining("validate interceptor: 'requiredFields': 'card..id' is not a field path");
    }
}
