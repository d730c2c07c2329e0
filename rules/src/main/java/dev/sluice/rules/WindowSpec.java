package dev.sluice.rules;

import java.time.Duration;

/**
 * A per-key windowed aggregate that rules read as {@code window.<name>}.
 *
 * <p>Sliding windows are kept as {@code size / step} slots of width {@code step}, so a sliding
 * count is exact to one step (the usual hopping approximation, bounded memory per key). A tumbling
 * window is one slot of width {@code size}, aligned to the epoch.
 *
 * @param name the name rules use
 * @param aggregate count of events, or sum of a numeric body field
 * @param field the body field summed (dot path inside the body), null for count
 * @param size window length
 * @param step slot width: {@code size} for tumbling windows
 * @param tumbling true for tumbling, false for sliding
 */
public record WindowSpec(String name, Aggregate aggregate, String field, Duration size, Duration step, boolean tumbling) {

    /** What a window adds up. */
    public enum Aggregate { COUNT, SUM }

    public long sizeMillis() {
        return size.toMillis();
    }

    public long stepMillis() {
        return step.toMillis();
    }

    /** Slots kept per key: the window plus one, so late events inside the window still land. */
    public int slots() {
        return (int) (sizeMillis() / stepMillis()) + 1;
    }
}
