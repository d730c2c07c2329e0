package dev.sluice.interceptors;

import org.apache.flume.instrumentation.MonitoredCounterGroup;

/**
 * Flume-style counters of one interceptor instance, exported like Flume's own components (JMX and
 * the HTTP metrics endpoint as {@code INTERCEPTOR.<name>}).
 */
public class InterceptorCounters extends MonitoredCounterGroup implements InterceptorCountersMBean {

    static final String RECEIVED = "EventReceivedCount";
    static final String ACCEPTED = "EventAcceptedCount";
    static final String DEAD_LETTERED = "EventDeadLetteredCount";

    private static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> INSTANCES =
            new java.util.concurrent.ConcurrentHashMap<>();

    InterceptorCounters(String name) {
        super(Type.INTERCEPTOR, name, RECEIVED, ACCEPTED, DEAD_LETTERED);
    }

    /** For interceptors with counters of their own, besides the three every interceptor has. */
    InterceptorCounters(String name, String... more) {
        super(Type.INTERCEPTOR, name, concat(more));
    }

    private static String[] concat(String[] more) {
        String[] all = new String[3 + more.length];
        all[0] = RECEIVED;
        all[1] = ACCEPTED;
        all[2] = DEAD_LETTERED;
        System.arraycopy(more, 0, all, 3, more.length);
        return all;
    }

    /**
     * The configured {@code name}, else {@code <stage>-<n>}: Flume does not tell an interceptor its
     * own name, and two instances under one name would hide each other's counters.
     */
    static String nameFor(org.apache.flume.Context context, String stage) {
        String configured = context.getString("name");
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        return stage + "-" + INSTANCES.computeIfAbsent(stage, s -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
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

    void add(String counter, long delta) {
        addAndGet(counter, delta);
    }

    @Override
    public long getEventReceivedCount() {
        return get(RECEIVED);
    }

    @Override
    public long getEventAcceptedCount() {
        return get(ACCEPTED);
    }

    @Override
    public long getEventDeadLetteredCount() {
        return get(DEAD_LETTERED);
    }
}
