package dev.sluice.rules;

/**
 * A rule that threw on one event (a null where a number was needed, a regex over its time budget):
 * the event goes on, the failure is reported with the rule and the reason.
 */
public record RuleFailure(String rule, String eventId, String reason) {
}
