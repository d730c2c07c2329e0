package dev.sluice.interceptors;

/** JMX view of the alert interceptor's counters ({@code INTERCEPTOR.alert-<n>} in Flume's metrics). */
public interface AlertCountersMBean extends InterceptorCountersMBean {

    /** Events that fired at least one rule. */
    long getEventAlertedCount();

    /** Rule firings (an event that fires two rules counts two). */
    long getAlertCount();

    /** Rule evaluations that threw (the event is tagged and goes on). */
    long getRuleFailureCount();
}
