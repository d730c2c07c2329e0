package dev.sluice.interceptors;

import org.apache.flume.instrumentation.MonitoredCounterGroup;

/**
 * Flume-style counters of one interceptor instance, exported like Flume's own components (JMX and
 * the HTTP metrics endpoint as {@code INTERCEPTOR.<name>}).
 */
final class InterceptorCounters extends MonitoredCounterGroup {

    static final String RECEIVED = "EventReceivedCount";
    static final String ACCEPTED = "EventAcceptedCount";
    static final String DEAD_LETTERED = "EventDeadLetteredCount";

    InterceptorCounters(String name) {
        super(Type.INTERCEPTOR, name, RECEIVED, ACCEPTED, DEAD_LETTERED);
    }

    void received() {
        increment(RECEIVED);
    }

    void accepted() {
        increment(ACCEPTED);
    }

    void deadLettered() {
        increment(DEAD_LETTERED);
    }

    long count(String counter) {
        return get(counter);
    }
}
