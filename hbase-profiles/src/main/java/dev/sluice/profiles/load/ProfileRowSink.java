package dev.sluice.profiles.load;

import dev.sluice.profiles.Profile;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where {@link ProfileLoader} puts the profiles it accepted: HBase's write path
 * ({@link MutatorRowSink}) or sorted HFiles handed to the region servers at the end
 * ({@link HFileRowSink}). Rows are written in file order; a later row for the same key wins.
 */
public interface ProfileRowSink extends Closeable {

    void write(Profile profile) throws IOException;

    /** Makes every row written so far durable and readable; throws if HBase refuses them. */
    void finish() throws IOException;

    /**
     * Whether {@link #finish()} may be called as often as wanted during a load, each call making the
     * rows so far readable; if not, it is called once, at the end, and rows are readable only then.
     */
    boolean incremental();

    /** Releases what the sink holds; rows not {@link #finish() finished} may be dropped. */
    @Override
    default void close() throws IOException {
    }
}
