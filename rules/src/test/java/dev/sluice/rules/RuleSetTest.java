package dev.sluice.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleSetTest {

    private static final String RULES = """
            windows:
              - name: count_10m
                aggregate: count
                size: 10m
                step: 1m
              - name: spend_1h
                aggregate: sum
                field: amount
                size: 1h
                type: tumbling
            rules:
              - name: over_limit
                severity: high
                expression: event.body.amount > profile.credit_limit
              - name: burst
                expression: window.count_10m >= 3
              - name: foreign
                expression: event.body.country != profile.home_country && event.body.amount >= 100
            """;

    private final ObjectMapper json = new ObjectMapper();

    private Map<String, Object> event(String id, long time, double amount, String country) throws Exception {
        return RuleSet.eventFacts(id, "card-1", time, time,
                json.readTree("{\"amount\":" + amount + ",\"country\":\"" + country + "\"}"));
    }

    @Test
    void firesRulesAndNamesTheValuesThatFiredThem() throws Exception {
        RuleSet rules = RuleSet.parse(RULES, "rules.yaml");
        Map<String, Object> profile = Map.of("credit_limit", 500.0, "home_country", "FR");
        List<RuleFailure> failures = new ArrayList<>();

        List<Alert> alerts = rules.evaluate(event("e1", 1_000, 700, "FR"), profile, Map.of("count_10m", 1L, "spend_1h", 700.0), failures::add);

        assertThat(failures).isEmpty();
        assertThat(alerts).extracting(Alert::rule).containsExactly("over_limit");
        Alert alert = alerts.get(0);
        assertThat(alert.eventId()).isEqualTo("e1");
        assertThat(alert.severity()).isEqualTo("high");
        assertThat(alert.values()).containsEntry("event.body.amount", 700.0).containsEntry("profile.credit_limit", 500.0);
    }

    @Test
    void skipsProfileRulesWithoutAProfileButRunsTheOthers() throws Exception {
        RuleSet rules = RuleSet.parse(RULES, "rules.yaml");
        List<RuleFailure> failures = new ArrayList<>();
        List<Alert> alerts = rules.evaluate(event("e1", 1_000, 700, "FR"), null, Map.of("count_10m", 5L, "spend_1h", 1.0), failures::add);
        assertThat(alerts).extracting(Alert::rule).containsExactly("burst");
        assertThat(failures).isEmpty();
    }

    @Test
    void aRuleThatThrowsIsReportedAndTheOthersStillRun() throws Exception {
        RuleSet rules = RuleSet.parse(RULES, "rules.yaml");
        Map<String, Object> event = RuleSet.eventFacts("e9", "card-1", 1, 1, json.readTree("{\"country\":\"US\"}"));
        List<RuleFailure> failures = new ArrayList<>();
        List<Alert> alerts = rules.evaluate(event, Map.of("credit_limit", 1.0, "home_country", "FR"),
                Map.of("count_10m", 3L, "spend_1h", 0.0), failures::add);
        assertThat(alerts).extracting(Alert::rule).containsExactly("burst");
        assertThat(failures).extracting(RuleFailure::rule).containsExactly("over_limit", "foreign");
        assertThat(failures.get(0).eventId()).isEqualTo("e9");
        assertThat(failures.get(0).reason()).contains("amount");
    }

    @Test
    void rejectsABadFileNamingTheRuleAndPosition() {
        assertThatThrownBy(() -> RuleSet.parse("""
                rules:
                  - name: ok
                    expression: event.body.amount > 1
                  - name: broken
                    expression: event.body.amount > > 1
                """, "bad.yaml"))
                .isInstanceOf(RulesException.class)
                .hasMessageContaining("bad.yaml")
                .hasMessageContaining("rule 'broken' (rules[1])")
                .hasMessageContaining("column")
                .satisfies(e -> assertThat(((RulesException) e).problems()).hasSize(1));
    }

    @Test
    void rejectsUnknownVariablesWindowsAndKeys() {
        assertThatThrownBy(() -> RuleSet.parse("""
                windows:
                  - {name: w, aggregate: median, size: 1m}
                  - {name: s, aggregate: sum, size: 1m}
                rules:
                  - {name: a, expression: system.exit > 0}
                  - {name: b, expression: window.nope > 1}
                  - {name: c, expression: event.key == 'x', when: always}
                """, "r.yaml"))
                .isInstanceOf(RulesException.class)
                .satisfies(e -> assertThat(((RulesException) e).problems()).containsExactly(
                        "window 'w' (windows[0]): aggregate must be count or sum, got 'median'",
                        "window 's' (windows[1]): a sum needs 'field', the body field to add up",
                        "rule 'a' (rules[0]): unknown variable 'system' (rules read event, profile and window)",
                        "rule 'b' (rules[1]): unknown window 'nope' (declared: )",
                        "rule 'c' (rules[2]): unknown key 'when' (allowed: name, expression, severity, description)"));
    }

    @Test
    void hostileExpressionsAreRejectedAtLoad() {
        for (String hostile : List.of(
                "while (true) { 1 }",
                "for (var i : 1..1000000000) { i }",
                "event.body.amount.getClass().forName('java.lang.Runtime')",
                "new('java.lang.StringBuilder', 1000000000)",
                "x = 1",
                "[1, 2, 3].size() > 1",
                "(x -> x)(1)")) {
            assertThatThrownBy(() -> RuleSet.parse("rules:\n  - name: hostile\n    expression: \"" + hostile.replace("\"", "\\\"") + "\"\n", "h.yaml"))
                    .as(hostile)
                    .isInstanceOf(RulesException.class)
                    .hasMessageContaining("rule 'hostile'");
        }
    }

    @Test
    void aCatastrophicRegexIsStoppedByItsBudget() throws Exception {
        RuleSet rules = RuleSet.parse("""
                rules:
                  - name: redos
                    expression: event.body.name =~ '(.*a){25}x'
                """, "r.yaml");
        Map<String, Object> event = RuleSet.eventFacts("e1", "k", 1, 1,
                json.readTree("{\"name\":\"" + "a".repeat(64) + "\"}"));
        List<RuleFailure> failures = new ArrayList<>();
        long start = System.nanoTime();
        List<Alert> alerts = rules.evaluate(event, null, Map.of(), failures::add);
        assertThat(alerts).isEmpty();
        assertThat(failures).singleElement().satisfies(f -> assertThat(f.reason()).contains("budget of 10,000,000 character reads"));
        // Without the budget this match would take longer than the age of the universe.
        assertThat(System.nanoTime() - start).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aValueOfTheWrongTypeFailsTheRuleInsteadOfComparingAsZero() throws Exception {
        RuleSet rules = RuleSet.parse("rules:\n  - name: over_limit\n    expression: event.body.amount > profile.credit_limit\n", "r.yaml");
        for (String amount : List.of("\"lots\"", "true", "{\"value\": 900}", "[900]")) {
            Map<String, Object> event = RuleSet.eventFacts("e1", "k", 1, 1, json.readTree("{\"amount\":" + amount + "}"));
            List<RuleFailure> failures = new ArrayList<>();
            assertThat(rules.evaluate(event, Map.of("credit_limit", 500.0), Map.of(), failures::add)).as(amount).isEmpty();
            assertThat(failures).as(amount).singleElement().satisfies(f -> assertThat(f.rule()).isEqualTo("over_limit"));
        }
        // A number sent as a string is still a number: JSON producers often quote amounts.
        Map<String, Object> quoted = RuleSet.eventFacts("e2", "k", 1, 1, json.readTree("{\"amount\":\"900\"}"));
        assertThat(rules.evaluate(quoted, Map.of("credit_limit", 500.0), Map.of(), f -> { throw new AssertionError(f.toString()); })).hasSize(1);
    }

    @Test
    void aLongLinearMatchStaysWithinTheBudgetEveryTime() throws Exception {
        // The budget counts characters read, not time: a linear match over a large field passes on every run.
        RuleSet rules = RuleSet.parse("rules:\n  - name: m\n    expression: event.body.note =~ '.*x'\n", "r.yaml");
        Map<String, Object> event = RuleSet.eventFacts("e1", "k", 1, 1,
                json.readTree("{\"note\":\"" + "a".repeat(1_000_000) + "x\"}"));
        for (int run = 0; run < 3; run++) {
            assertThat(rules.evaluate(event, null, Map.of(), f -> { throw new AssertionError(f.toString()); })).hasSize(1);
        }
    }

    @Test
    void aRegexMatchWorksWithinBudget() throws Exception {
        RuleSet rules = RuleSet.parse("rules:\n  - name: m\n    expression: event.body.name =~ 'ab.*'\n", "r.yaml");
        Map<String, Object> event = RuleSet.eventFacts("e1", "k", 1, 1, json.readTree("{\"name\":\"abc\"}"));
        assertThat(rules.evaluate(event, null, Map.of(), f -> { })).hasSize(1);
    }

    @Test
    void emptyFileMeansNoRules() throws Exception {
        assertThat(RuleSet.parse("", "e.yaml").ruleNames()).isEmpty();
        assertThat(RuleSet.parse("", "e.yaml").evaluate(new HashMap<>(), null, Map.of(), f -> { })).isEmpty();
    }
}
