package dev.sluice.profiles.load;

import java.time.Duration;

/**
 * The outcome of one load.
 *
 * @param loaded profiles written (and published)
 * @param rejected lines rejected, each reported to the reject sink
 * @param written whether anything was written: false for a {@code --strict} load that found bad lines
 * @param took wall-clock time
 */
public record LoadReport(long loaded, long rejected, boolean written, Duration took) {

    public double rowsPerSecond() {
        return took.isZero() ? 0 : loaded / (took.toNanos() / 1e9);
    }
}
