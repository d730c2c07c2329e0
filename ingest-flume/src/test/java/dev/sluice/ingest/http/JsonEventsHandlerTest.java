package dev.sluice.ingest.http;

import org.apache.flume.Context;
import org.apache.flume.Event;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonEventsHandlerTest {

    private static List<String> bodies(String request) {
        return JsonEventsHandler.toEvents(request.getBytes(StandardCharsets.UTF_8)).stream()
                .map(Event::getBody).map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void acceptsOneObjectAnArrayOrJsonLines() {
        assertThat(bodies("{\"a\":1}")).containsExactly("{\"a\":1}");
        assertThat(bodies("[{\"a\":1},{\"a\":2}]")).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(bodies("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n")).containsExactly("{\"a\":1}", "{\"a\":2}", "{\"a\":3}");
    }

    @Test
    void keepsAnUnparseableRequestAsOneRawEventForTheDeadLetterPath() {
        assertThat(bodies("this is not json")).containsExactly("this is not json");
        assertThat(bodies("{\"a\":1}\n{\"a\":")).as("a truncated last line").containsExactly("{\"a\":1}", "{\"a\":");
        assertThat(bodies("[1,2]")).containsExactly("[1,2]");
        assertThat(bodies("")).isEmpty();
    }

    @Test
    void oneBadLineOfJsonLinesCostsOneEventNotTheRequest() {
        assertThat(bodies("{\"a\":1}\n{oops\n\n{\"a\":3}\r\n[1]\n{\"a\":4} trailing\n"))
                .containsExactly("{\"a\":1}", "{oops", "{\"a\":3}", "[1]", "{\"a\":4} trailing");
        assertThat(bodies("{\n  \"pretty\": true\n}\n")).as("one pretty-printed object").containsExactly("{\"pretty\":true}");
    }

    @Test
    void refusesABadLimitNamingTheKey() {
        assertThatThrownBy(() -> new JsonEventsHandler().configure(new Context(Map.of("maxRequestBytes", "0"))))
                .hasMessageContaining("'handler.maxRequestBytes' must be a positive integer");
    }
}
