package dev.sluice.interceptors;

import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import dev.sluice.rules.Alert;
import dev.sluice.rules.RuleFailure;
import dev.sluice.rules.RuleSet;
import dev.sluice.rules.RulesException;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Evaluates Sluice's alert rules (the {@code rules} module, the same code and rules-file format as
 * the partitioned consumer) on each envelope and its {@code profile} (as {@code enrich} added it),
 * and tags the event: {@code sluice.alerts} lists the rules that fired, {@code sluice.alert.severity}
 * the highest severity among them ({@code high} > {@code medium} > {@code low} > {@code info}),
 * {@code sluice.alert.failed} the rules that threw on it. The event always goes on.
 *
 * <p>Windowed rules need every event of a key in one place, which only the partitioned consumer
 * has (it owns the key's partition); a rules file that declares windows is refused here at
 * configure time.
 *
 * <p>Keys: {@code rules} (path of the rules file, required). Sample:
 * <pre>
 * agent.sources.http.interceptors = validate identify enrich alert
 * agent.sources.http.interceptors.alert.type = dev.sluice.interceptors.AlertInterceptor$Builder
 * agent.sources.http.interceptors.alert.rules = /etc/sluice/rules/cards.yaml
 * </pre>
 *
 * <p>Counters: {@code INTERCEPTOR.<name>} (default {@code alert-1}, ...) with the common three plus
 * {@code EventAlertedCount}, {@code AlertCount}, {@code RuleFailureCount}.
 */
public final class AlertInterceptor extends CountingInterceptor {

    public static final String ALERTS_HEADER = "sluice.alerts";
    public static final String SEVERITY_HEADER = "sluice.alert.severity";
    public static final String FAILED_HEADER = "sluice.alert.failed";
    static final String STAGE = "alert";
    private static final List<String> SEVERITIES = List.of("info", "low", "medium", "high", "critical");

    private final RuleSet rules;
    private final EventCodec codec = new EventCodec(Integer.MAX_VALUE);
    private final AlertCounters counters;

    AlertInterceptor(RuleSet rules, AlertCounters counters) {
        super(counters);
        this.rules = rules;
        this.counters = counters;
    }

    @Override
    Outcome process(Event event) {
        if (Routing.isDeadLettered(event)) {
            return Outcome.PASSED_THROUGH;
        }
        dev.sluice.common.event.Event envelope;
        try {
            envelope = codec.decode(event.getBody());
        } catch (MalformedEventException e) {
            // Not an envelope: identify did not run before this interceptor, a configuration error.
            Routing.deadLetter(event, STAGE, e.reason().name(), e.field(), "alert needs a Sluice envelope (run identify first): " + e.getMessage());
            return Outcome.DEAD_LETTERED;
        }
        Map<String, Object> facts = RuleSet.eventFacts(envelope.id(), envelope.key(), envelope.eventTime().toEpochMilli(),
                envelope.ingestTime().toEpochMilli(), envelope.body());
        List<RuleFailure> failures = new ArrayList<>(0);
        List<Alert> alerts = rules.evaluate(facts, RuleSet.toJava(envelope.profile()), Map.of(), failures::add);
        Map<String, String> headers = event.getHeaders();
        headers.remove(ALERTS_HEADER);
        headers.remove(SEVERITY_HEADER);
        headers.remove(FAILED_HEADER);
        if (!alerts.isEmpty()) {
            headers.put(ALERTS_HEADER, alerts.stream().map(Alert::rule).collect(Collectors.joining(",")));
            headers.put(SEVERITY_HEADER, alerts.stream().map(Alert::severity)
                    .max((a, b) -> Integer.compare(SEVERITIES.indexOf(a), SEVERITIES.indexOf(b))).orElse("medium"));
            counters.add(AlertCounters.EVENTS_ALERTED, 1);
            counters.add(AlertCounters.ALERTS, alerts.size());
        }
        if (!failures.isEmpty()) {
            headers.put(FAILED_HEADER, failures.stream().map(RuleFailure::rule).collect(Collectors.joining(",")));
            counters.add(AlertCounters.RULE_FAILURES, failures.size());
        }
        return Outcome.ACCEPTED;
    }

    /** Builds {@link AlertInterceptor}; a bad or windowed rules file fails the configuration, naming the key. */
    public static final class Builder implements Interceptor.Builder {
        public static final String RULES = "rules";

        private RuleSet rules;
        private String name = STAGE;

        @Override
        public void configure(Context context) {
            String file = ConfigKeys.required(context, STAGE, RULES);
            try {
                rules = RuleSet.load(Path.of(file));
            } catch (RulesException e) {
                throw new IllegalArgumentException(STAGE + " interceptor: '" + RULES + "': " + e.getMessage(), e);
            }
            if (!rules.windows().isEmpty()) {
                throw new IllegalArgumentException(STAGE + " interceptor: '" + RULES + "': " + file + " declares windows "
                        + rules.windows().stream().map(w -> w.name()).toList() + "; windowed rules run in the partitioned"
                        + " consumer, which owns every event of a key");
            }
            name = InterceptorCounters.nameFor(context, STAGE);
        }

        @Override
        public Interceptor build() {
            return new AlertInterceptor(rules, new AlertCounters(name));
        }
    }
}
