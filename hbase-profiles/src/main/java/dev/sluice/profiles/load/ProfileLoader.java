package dev.sluice.profiles.load;

import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import dev.sluice.profiles.ProfileUpdates;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Loads profiles from a CSV or JSON Lines file into HBase through a {@link ProfileRowSink} (puts in
 * batches, or HFiles bulk-loaded at the end), and publishes each to the update stream once HBase
 * can serve its row (unless no publisher is given).
 *
 * <p>A bad line is reported to the reject sink with its line number and reason and the load goes on;
 * with {@code strict}, the file is checked first and nothing is written if any line is bad. Rows are
 * full overwrites of the same row keys, so re-running a load leaves the table as one run would.
 * A failure of HBase or Kafka themselves aborts the load with an exception: that is not a bad row.
 */
public final class ProfileLoader {

    private static final int PROGRESS_EVERY = 5_000;
    /** Rows made readable (flushed) before they are published, with an incremental sink. */
    private static final int PUBLISH_CHUNK = 20_000;

    private final ProfileCodec codec;
    private final ProfileRowSink rows;
    private final ProfileUpdates updates;
    private final LoadListener listener;

    /** @param updates where to publish loaded profiles, or null to write HBase only */
    public ProfileLoader(ProfileCodec codec, ProfileRowSink rows, ProfileUpdates updates, LoadListener listener) {
        this.codec = codec;
        this.rows = rows;
        this.updates = updates;
        this.listener = listener;
    }

    /**
     * @throws IllegalArgumentException if the CSV header names unknown columns or lacks the key column
     * @throws IOException if the file cannot be read, or HBase or Kafka fail
     */
    public LoadReport load(Path file, LoadFormat format, boolean strict, Consumer<RejectedRow> rejects) throws IOException {
        long began = System.nanoTime();
        if (strict) {
            // The check pass loads nothing: it reports progress with nothing loaded.
            long bad = pass(file, format, (read, total, loaded, rejected) -> listener.progress(read, total, 0, rejected),
                    rejects, p -> { });
            if (bad > 0) {
                return new LoadReport(0, bad, false, Duration.ofNanos(System.nanoTime() - began));
            }
        }
        Publisher publisher = new Publisher();
        List<Profile> unpublished = new ArrayList<>();
        long[] loaded = {0};
        long rejected = pass(file, format, listener, strict ? r -> { } : rejects, profile -> {
            publisher.check();
            rows.write(profile);
            loaded[0]++;
            if (updates != null && rows.incremental()) {
                unpublished.add(profile);
                if (unpublished.size() >= PUBLISH_CHUNK) {
                    rows.finish();
                    publisher.publish(unpublished);
                }
            }
        });
        rows.finish();
        if (updates != null) {
            if (rows.incremental()) {
                publisher.publish(unpublished);
            } else {
                // The rows became readable all at once just now: publish them now, from the file again.
                pass(file, format, LoadListener.NONE, r -> { }, publisher::publish);
            }
            updates.flush();
            publisher.check();
        }
        return new LoadReport(loaded[0], rejected, true, Duration.ofNanos(System.nanoTime() - began));
    }

    /**
     * Publishes profiles only once their rows are readable in HBase: a consumer takes its update-topic
     * offsets before it scans HBase, so an update published earlier could be missed by both.
     */
    private final class Publisher {
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        void publish(Profile profile) throws IOException {
            check();
            updates.publish(profile, codec.schema(), e -> failure.compareAndSet(null, e));
        }

        void publish(List<Profile> profiles) throws IOException {
            for (Profile profile : profiles) {
                publish(profile);
            }
            profiles.clear();
        }

        void check() throws IOException {
            if (failure.get() != null) {
                throw new IOException("publishing profile updates failed: " + failure.get().getMessage(), failure.get());
            }
        }
    }

    @FunctionalInterface
    private interface ProfileWriter {
        void write(Profile profile) throws IOException;
    }

    private long pass(Path file, LoadFormat format, LoadListener progress, Consumer<RejectedRow> rejects, ProfileWriter writer)
            throws IOException {
        ProfileParser parser = new ProfileParser(codec.schema(), format);
        long totalBytes = Files.size(file);
        long bytesRead = 0;
        long lineNumber = 0;
        long good = 0;
        long bad = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                bytesRead += ProfileParser.byteLength(line);
                if (lineNumber == 1 && parser.hasHeader()) {
                    parser.readHeader(line);
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                ProfileParser.Parsed parsed = parser.parse(line);
                if (parsed.profile() == null) {
                    bad++;
                    rejects.accept(new RejectedRow(lineNumber, parsed.reason(), ProfileParser.cut(line, 500)));
                } else {
                    good++;
                    writer.write(parsed.profile());
                }
                if ((good + bad) % PROGRESS_EVERY == 0) {
                    progress.progress(bytesRead, totalBytes, good, bad);
                }
            }
        }
        progress.progress(totalBytes, totalBytes, good, bad);
        return bad;
    }
}
