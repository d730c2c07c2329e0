package dev.sluice.rules;

import java.time.Instant;
import java.util.Map;

/**
 * A rule that fired on one event.
 *
 * @param rule the rule's name
 * @param severity the rule's severity
 * @param eventId the id of the event that fired it
 * @param key the event's entity key
 * @param eventTime the event's time
 * @param values every value the expression read, by its path ({@code event.body.amount}, {@code window.count_1h}...)
 */
public record Alert(String rule, String severity, String eventId, String key, Instant eventTime, Map<String, Object> values) {
}
