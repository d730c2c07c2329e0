package dev.sluice.interceptors;

import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

import java.util.List;

/**
 * What Sluice's interceptors share: each event is counted as received and as accepted or
 * dead-lettered, in counters exported like Flume's own ({@link InterceptorCounters}); a batch is
 * the events one by one, never dropping any. Called from the source's thread.
 */
abstract class CountingInterceptor implements Interceptor {

    /** What {@link #process} did with an event. */
    enum Outcome { ACCEPTED, DEAD_LETTERED, PASSED_THROUGH }

    private final InterceptorCounters counters;

    CountingInterceptor(InterceptorCounters counters) {
        this.counters = counters;
    }

    /** Checks or rewrites the event in place; marks it for the dead-letter path rather than dropping it. */
    abstract Outcome process(Event event);

    @Override
    public void initialize() {
        counters.start();
    }

    @Override
    public Event intercept(Event event) {
        counters.received();
        switch (process(event)) {
            case ACCEPTED -> counters.accepted();
            case DEAD_LETTERED -> counters.deadLettered();
            case PASSED_THROUGH -> {
                // Dead-lettered upstream: counted there.
            }
        }
        return event;
    }

    @Override
    public List<Event> intercept(List<Event> events) {
        for (Event event : events) {
            intercept(event);
        }
        return events;
    }

    @Override
    public void close() {
        counters.stop();
    }

    final long count(String counter) {
        return counters.count(counter);
    }
}
