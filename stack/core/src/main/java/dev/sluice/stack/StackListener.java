package dev.sluice.stack;

import java.time.Duration;

/** Progress of a stack start or stop, for a CLI or a test log. Called from the stack's worker threads. */
public interface StackListener {

    StackListener NONE = new StackListener() {
    };

    default void starting(Service service) {
    }

    default void ready(Service service, Duration took, String detail) {
    }

    default void stopped(Service service, Duration took, boolean killed) {
    }

    default void cleaningUp(int staleProcesses) {
    }
}
