package dev.sluice.interceptors;

/** JMX view of {@link InterceptorCounters}; Flume's HTTP metrics report these as {@code INTERCEPTOR.<name>}. */
public interface InterceptorCountersMBean {

    long getEventReceivedCount();

    long getEventAcceptedCount();

    long getEventDeadLetteredCount();

    long getStartTime();

    long getStopTime();

    String getType();
}
