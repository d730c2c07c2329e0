package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated, compiled rules file: windowed aggregates and alert rules written as JEXL
 * expressions over {@code event} (id, key, eventTime, ingestTime in epoch ms, body),
 * {@code profile} (the entity's attributes) and {@code window} (this key's aggregates).
 *
 * <pre>
 * windows:
 *   - name: txn_count_10m      # window.txn_count_10m in rules
 *     aggregate: count         # count | sum
 *     size: 10m
 *     type: sliding            # sliding (default) | tumbling
 *     step: 1m                 # sliding only; default size / 10
 *   - name: spend_1h
 *     aggregate: sum
 *     field: amount            # a numeric body field (dot path)
 *     size: 1h
 *     type: tumbling
 * rules:
 *   - name: over_limit
 *     severity: high
 *     expression: event.body.amount > profile.credit_limit
 * </pre>
 *
 * <p>The dialect is JEXL with loops, lambdas, method calls, object creation, assignments,
 * pragmas and collection literals switched off, so a rule can only read and compare; a regex
 * match has a budget of character reads ({@link GuardedArithmetic}), so its outcome never depends on timing. Arithmetic is strict: a rule that reads a
 * missing value throws, and the caller reports that as a {@link RuleFailure}, not as "false".
 * A rule that reads {@code profile} is skipped for an event without a profile.
 */
public final class RuleSet {

    /** Longest accepted expression, so a rules file cannot smuggle in a huge evaluation. */
    public static final int MAX_EXPRESSION_CHARS = 2048;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Set<String> ROOTS = Set.of("event", "profile", "window");

    private static final JexlEngine ENGINE = new JexlBuilder()
            .features(new JexlFeatures()
                    .loops(false).lambda(false).methodCall(false).newInstance(false)
                    .sideEffect(false).sideEffectGlobal(false).structuredLiteral(false)
                    .pragma(false).annotation(false).localVar(false).script(false)
                    .namespacePragma(false).importPragma(false).arrayReferenceExpr(false))
            .permissions(JexlPermissions.RESTRICTED)
            .arithmetic(new GuardedArithmetic(true))
            .strict(true).safe(false).silent(false).cancellable(true)
            .cache(512)
            .create();

    private final String source;
    private final List<WindowSpec> windows;
    private final List<CompiledRule> rules;

    private RuleSet(String source, List<WindowSpec> windows, List<CompiledRule> rules) {
        this.source = source;
        this.windows = List.copyOf(windows);
        this.rules = List.copyOf(rules);
    }

    /** No windows, no rules. */
    public static RuleSet empty() {
        return new RuleSet("(no rules)", List.of(), List.of());
    }

    public static RuleSet load(Path file) throws RulesException {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new RulesException(file.toString(), List.of("cannot read the rules file: " + e.getMessage()));
        }
    }

    /** Parses and compiles a rules file; every problem is collected, each naming its rule or window. */
    public static RuleSet parse(String yaml, String source) throws RulesException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new RulesException(source, List.of("not valid YAML: " + e.getMessage().lines().findFirst().orElse("")));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new RuleSet(source, List.of(), List.of());
        }
        List<String> problems = new ArrayList<>();
        if (!root.isObject()) {
            throw new RulesException(source, List.of("expected a mapping with 'windows' and 'rules'"));
        }
        root.fieldNames().forEachRemaining(name -> {
            if (!Set.of("windows", "rules").contains(name)) {
                problems.add("unknown top-level key '" + name + "' (expected windows, rules)");
            }
        });
        List<WindowSpec> windows = parseWindows(root.path("windows"), problems);
        Set<String> windowNames = new LinkedHashSet<>();
        windows.forEach(w -> windowNames.add(w.name()));
        List<CompiledRule> rules = parseRules(root.path("rules"), windowNames, source, problems);
        if (!problems.isEmpty()) {
            throw new RulesException(source, problems);
        }
        return new RuleSet(source, windows, rules);
    }

    public String source() {
        return source;
    }

    public List<WindowSpec> windows() {
        return windows;
    }

    /** No rules and no windows: evaluating would convert every event for nothing. */
    public boolean isEmpty() {
        return rules.isEmpty() && windows.isEmpty();
    }

    public List<String> ruleNames() {
        return rules.stream().map(CompiledRule::name).toList();
    }

    /**
     * Evaluates every rule against one event.
     *
     * @param event the event as Java values: id, key, eventTime, ingestTime (epoch ms), body (a map)
     * @param profile the entity's attributes, or null when the key has no profile
     * @param windowValues this key's window values after counting the event
     * @param failures receives each rule that threw; the other rules still run
     * @return the alerts, in rule order
     */
    public List<Alert> evaluate(Map<String, Object> event, Map<String, Object> profile,
                                Map<String, Number> windowValues, Consumer<RuleFailure> failures) {
        if (rules.isEmpty()) {
            return List.of();
        }
        MapContext context = new MapContext(new HashMap<>(4));
        context.set("event", event);
        context.set("profile", profile);
        context.set("window", windowValues);
        String eventId = String.valueOf(event.get("id"));
        List<Alert> alerts = new ArrayList<>(0);
        for (CompiledRule rule : rules) {
            if (rule.readsProfile() && profile == null) {
                continue;
            }
            try {
                Object result = rule.script().execute(context);
                if (result instanceof Boolean fired) {
                    if (fired) {
                        alerts.add(new Alert(rule.name(), rule.severity(), eventId, String.valueOf(event.get("key")),
                                Instant.ofEpochMilli(((Number) event.get("eventTime")).longValue()),
                                valuesRead(rule, event, profile, windowValues)));
                    }
                } else {
                    failures.accept(new RuleFailure(rule.name(), eventId,
                            "expression returned " + (result == null ? "null" : result.getClass().getSimpleName()) + ", not a boolean"));
                }
            } catch (JexlException | ArithmeticException | IllegalStateException | IllegalArgumentException e) {
                failures.accept(new RuleFailure(rule.name(), eventId, describe(e, rule, event, profile, windowValues)));
            }
        }
        return alerts;
    }

    /** The event envelope as the Java values rules read. */
    public static Map<String, Object> eventFacts(String id, String key, long eventTimeMillis, long ingestTimeMillis,
                                                 JsonNode body) {
        return eventFacts(id, key, eventTimeMillis, ingestTimeMillis, toJava(body));
    }

    /** The same, with the body already converted (callers that also feed it to windows convert it once). */
    public static Map<String, Object> eventFacts(String id, String key, long eventTimeMillis, long ingestTimeMillis,
                                                 Map<String, Object> body) {
        Map<String, Object> event = new HashMap<>(8);
        event.put("id", id);
        event.put("key", key);
        event.put("eventTime", eventTimeMillis);
        event.put("ingestTime", ingestTimeMillis);
        event.put("body", body);
        return event;
    }

    /** A JSON object as maps, lists, strings, numbers and booleans. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toJava(JsonNode object) {
        return object == null || object.isNull() ? null : JSON.convertValue(object, Map.class);
    }

    private static Map<String, Object> valuesRead(CompiledRule rule, Map<String, Object> event,
                                                  Map<String, Object> profile, Map<String, Number> windowValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (List<String> path : rule.variables()) {
            Object node = switch (path.get(0)) {
                case "event" -> event;
                case "profile" -> profile;
                default -> windowValues;
            };
            for (int i = 1; i < path.size() && node != null; i++) {
                node = node instanceof Map<?, ?> map ? map.get(path.get(i)) : null;
            }
            values.put(String.join(".", path), node);
        }
        return values;
    }

    private static String describe(Exception e, CompiledRule rule, Map<String, Object> event,
                                   Map<String, Object> profile, Map<String, Number> windowValues) {
        String detail = e.getMessage();
        if (e instanceof JexlException jexl) {
            Throwable cause = jexl.getCause();
            detail = cause != null && cause.getMessage() != null ? cause.getMessage() : jexl.getMessage();
            // JEXL prefixes "<source>@<line>:<column> "; the rule name is reported separately.
            detail = detail.replaceFirst("^\\S+@\\d+:\\d+ ", "");
        }
        List<String> missing = valuesRead(rule, event, profile, windowValues).entrySet().stream()
                .filter(entry -> entry.getValue() == null).map(Map.Entry::getKey).toList();
        return "evaluation failed: " + String.valueOf(detail).replaceAll("\\s+", " ")
                + (missing.isEmpty() ? "" : " (missing values: " + String.join(", ", missing) + ")");
    }

    private static List<WindowSpec> parseWindows(JsonNode node, List<String> problems) {
        List<WindowSpec> windows = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return windows;
        }
        if (!node.isArray()) {
            problems.add("windows must be a list");
            return windows;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode w = node.get(i);
            String name = w.path("name").asText("");
            String label = "window '" + (name.isEmpty() ? "#" + (i + 1) : name) + "' (windows[" + i + "])";
            if (!NAME.matcher(name).matches()) {
                problems.add(label + ": name must be an identifier (letters, digits, _)");
                continue;
            }
            if (!names.add(name)) {
                problems.add(label + ": duplicate window name");
                continue;
            }
            unknownKeys(w, List.of("name", "aggregate", "field", "size", "type", "step"), label, problems);
            WindowSpec.Aggregate aggregate;
            try {
                aggregate = WindowSpec.Aggregate.valueOf(w.path("aggregate").asText("").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(label + ": aggregate must be count or sum, got '" + w.path("aggregate").asText("") + "'");
                continue;
            }
            String field = w.path("field").isMissingNode() ? null : w.path("field").asText();
            if (aggregate == WindowSpec.Aggregate.SUM && (field == null || field.isBlank())) {
                problems.add(label + ": a sum needs 'field', the body field to add up");
                continue;
            }
            String type = w.path("type").asText("sliding");
            if (!type.equals("sliding") && !type.equals("tumbling")) {
                problems.add(label + ": type must be sliding or tumbling, got '" + type + "'");
                continue;
            }
            Duration size = duration(w.path("size"), label + ": size", problems);
            if (size == null) {
                continue;
            }
            boolean tumbling = type.equals("tumbling");
            Duration step = tumbling ? size
                    : w.has("step") ? duration(w.path("step"), label + ": step", problems) : size.dividedBy(10);
            if (step == null) {
                continue;
            }
            if (step.isZero() || size.toMillis() % step.toMillis() != 0 || size.toMillis() / step.toMillis() > 1000) {
                problems.add(label + ": size must be a multiple of step, with at most 1000 steps");
                continue;
            }
            windows.add(new WindowSpec(name, aggregate, field, size, step, tumbling));
        }
        return windows;
    }

    private static List<CompiledRule> parseRules(JsonNode node, Set<String> windowNames, String source, List<String> problems) {
        List<CompiledRule> rules = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return rules;
        }
        if (!node.isArray()) {
            problems.add("rules must be a list");
            return rules;
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            String name = r.path("name").asText("");
            String label = "rule '" + (name.isEmpty() ? "#" + (i + 1) : name) + "' (rules[" + i + "])";
            if (!NAME.matcher(name).matches()) {
                problems.add(label + ": name must be an identifier (letters, digits, _)");
                continue;
            }
            if (!names.add(name)) {
                problems.add(label + ": duplicate rule name");
                continue;
            }
            unknownKeys(r, List.of("name", "expression", "severity", "description"), label, problems);
            String expression = r.path("expression").asText("");
            if (expression.isBlank()) {
                problems.add(label + ": 'expression' is required");
                continue;
            }
            if (expression.length() > MAX_EXPRESSION_CHARS) {
                problems.add(label + ": expression is " + expression.length() + " characters, the limit is " + MAX_EXPRESSION_CHARS);
                continue;
            }
            JexlScript script;
            try {
                script = ENGINE.createScript(new JexlInfo(source + "#" + name, 1, 1), expression);
            } catch (JexlException e) {
                problems.add(label + ": " + compileError(e));
                continue;
            }
            Set<List<String>> variables = script.getVariables();
            boolean ok = true;
            for (List<String> path : variables) {
                if (!ROOTS.contains(path.get(0))) {
                    problems.add(label + ": unknown variable '" + path.get(0) + "' (rules read event, profile and window)");
                    ok = false;
                } else if (path.get(0).equals("window") && (path.size() < 2 || !windowNames.contains(path.get(1)))) {
                    problems.add(label + ": unknown window '" + (path.size() < 2 ? "" : path.get(1))
                            + "' (declared: " + String.join(", ", windowNames) + ")");
                    ok = false;
                }
            }
            if (ok) {
                boolean readsProfile = variables.stream().anyMatch(p -> p.get(0).equals("profile"));
                rules.add(new CompiledRule(name, r.path("severity").asText("medium"), script,
                        List.copyOf(variables), readsProfile));
            }
        }
        return rules;
    }

    private static String compileError(JexlException e) {
        JexlInfo info = e.getInfo();
        String where = info == null ? "" : "line " + info.getLine() + ", column " + info.getColumn() + ": ";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // JEXL prefixes messages with the source and position; keep what follows.
        int cut = message.lastIndexOf(' ', Math.max(0, message.indexOf(' ')));
        String detail = message.substring(Math.max(0, cut)).trim();
        return where + "invalid expression: " + detail.replaceAll("\\s+", " ");
    }

    private static void unknownKeys(JsonNode node, List<String> allowed, String label, List<String> problems) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String key = it.next();
            if (!allowed.contains(key)) {
                problems.add(label + ": unknown key '" + key + "' (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    /** "90s", "10m", "1h", "2d", "500ms" or ISO-8601 ("PT10M"). */
    static Duration duration(JsonNode node, String label, List<String> problems) {
        String text = node.asText("").trim();
        Matcher m = SHORT_DURATION.matcher(text);
        Duration d = null;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text);
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        if (d == null || d.isNegative() || d.isZero()) {
            problems.add(label + " must be a positive duration like 30s, 10m, 1h, 1d, got '" + text + "'");
            return null;
        }
        return d;
    }

    private record CompiledRule(String name, String severity, JexlScript script, List<List<String>> variables,
                                boolean readsProfile) {
    }
}
