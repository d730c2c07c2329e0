package dev.sluice.interceptors;

import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.event.EventBuilder;
import org.apache.flume.interceptor.Interceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertInterceptorTest {

    @TempDir
    Path dir;

    private Interceptor build(String rules) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, rules);
        AlertInterceptor.Builder builder = new AlertInterceptor.Builder();
        builder.configure(new Context(Map.of("rules", file.toString())));
        Interceptor interceptor = builder.build();
        interceptor.initialize();
        return interceptor;
    }

    private static Event envelope(double amount, String profile) {
        return EventBuilder.withBody(("{\"id\":\"e1\",\"key\":\"card-1\",\"eventTime\":1000,\"ingestTime\":1000,"
                + "\"body\":{\"amount\":" + amount + "}" + (profile == null ? "" : ",\"profile\":" + profile) + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tagsEventsWithTheRulesTheyFireAndTheHighestSeverity() throws Exception {
        Interceptor alert = build("""
                rules:
                  - {name: over_limit, severity: high, expression: event.body.amount > profile.credit_limit}
                  - {name: large, severity: low, expression: event.body.amount >= 100}
                  - {name: tiny, expression: event.body.amount < 1}
                """);
        List<Event> out = alert.intercept(List.of(envelope(700, "{\"credit_limit\":500}"), envelope(50, "{\"credit_limit\":500}"),
                envelope(150, null)));
        assertThat(out.get(0).getHeaders()).containsEntry(AlertInterceptor.ALERTS_HEADER, "over_limit,large")
                .containsEntry(AlertInterceptor.SEVERITY_HEADER, "high");
        assertThat(out.get(1).getHeaders()).doesNotContainKey(AlertInterceptor.ALERTS_HEADER);
        assertThat(out.get(2).getHeaders()).as("no profile: profile rules are skipped")
                .containsEntry(AlertInterceptor.ALERTS_HEADER, "large").containsEntry(AlertInterceptor.SEVERITY_HEADER, "low");
        AlertCounters counters = (AlertCounters) countersOf(alert);
        assertThat(counters.getEventAlertedCount()).isEqualTo(2);
        assertThat(counters.getAlertCount()).isEqualTo(3);
        alert.close();
    }

    @Test
    void aRuleThatThrowsIsTaggedAndTheEventGoesOn() throws Exception {
        Interceptor alert = build("rules:\n  - {name: needs_tip, expression: event.body.tip > 5}\n");
        Event event = alert.intercept(envelope(1, null));
        assertThat(event.getHeaders()).containsEntry(AlertInterceptor.FAILED_HEADER, "needs_tip");
        assertThat(Routing.isDeadLettered(event)).isFalse();
        assertThat(((AlertCounters) countersOf(alert)).getRuleFailureCount()).isEqualTo(1);
    }

    @Test
    void refusesBadAndWindowedRulesNamingTheKey() throws Exception {
        assertThatThrownBy(() -> build("rules:\n  - {name: bad, expression: 'event.body.amount > > 1'}\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alert interceptor: 'rules'")
                .hasMessageContaining("rule 'bad'");
        assertThatThrownBy(() -> build("windows:\n  - {name: c, aggregate: count, size: 1m}\nrules:\n  - {name: r, expression: window.c > 1}\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitioned consumer");
        AlertInterceptor.Builder builder = new AlertInterceptor.Builder();
        assertThatThrownBy(() -> builder.configure(new Context(Map.of())))
                .hasMessageContaining("alert interceptor: 'rules' is required");
    }

    private static InterceptorCounters countersOf(Interceptor interceptor) throws Exception {
        var field = AlertInterceptor.class.getDeclaredField("counters");
        field.setAccessible(true);
        return (InterceptorCounters) field.get(interceptor);
    }
}
