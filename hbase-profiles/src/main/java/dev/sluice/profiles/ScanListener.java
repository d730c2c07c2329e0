package dev.sluice.profiles;

/**
 * Progress of {@link ProfileStore#scanBuckets}. Called from the scan threads, possibly concurrently.
 */
@FunctionalInterface
public interface ScanListener {

    ScanListener NONE = (regionsDone, regionsTotal, rows) -> {
    };

    /**
     * @param regionsDone region scans finished so far
     * @param regionsTotal region scans in this call
     * @param rows profiles delivered so far
     */
    void progress(int regionsDone, int regionsTotal, long rows);
}
