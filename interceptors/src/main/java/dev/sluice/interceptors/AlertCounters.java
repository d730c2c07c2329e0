package dev.sluice.interceptors;

/** Counters of {@link AlertInterceptor}. */
public final class AlertCounters extends InterceptorCounters implements AlertCountersMBean {

    static final String EVENTS_ALERTED = "EventAlertedCount";
    static final String ALERTS = "AlertCount";
    static final String RULE_FAILURES = "RuleFailureCount";

    AlertCounters(String name) {
        super(name, EVENTS_ALERTED, ALERTS, RULE_FAILURES);
    }

    @Override
    public long getEventAlertedCount() {
        return count(EVENTS_ALERTED);
    }

    @Override
    public long getAlertCount() {
        return count(ALERTS);
    }

    @Override
    public long getRuleFailureCount() {
        return count(RULE_FAILURES);
    }
}
