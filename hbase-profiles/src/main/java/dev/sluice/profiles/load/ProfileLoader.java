package dev.sluice.profiles.load;

import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import dev.sluice.profiles.ProfileUpdates;
import org.apache.hadoop.hbase.client.BufferedMutator;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Loads profiles from a CSV or JSON Lines file into HBase through a {@link BufferedMutator}, and
 * publishes each to the update stream (unless no publisher is given).
 *
 * <p>A bad line is reported to the reject sink with its line number and reason and the load goes on;
 * with {@code strict}, the file is checked first and nothing is written if any line is bad. Rows are
 * full overwrites of the same row keys, so re-running a load leaves the table as one run would.
 * A failure of HBase or Kafka themselves aborts the load with an exception: that is not a bad row.
 */
public final class ProfileLoader {

    private static final int PROGRESS_EVERY = 5_000;

    private final ProfileCodec codec;
    private final BufferedMutator mutator;
    private final ProfileUpdates updates;
    private final LoadListener listener;

    /** @param updates where to publish loaded profiles, or null to write HBase only */
    public ProfileLoader(ProfileCodec codec, BufferedMutator mutator, ProfileUpdates updates, LoadListener listener) {
        this.codec = codec;
        this.mutator = mutator;
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
            long bad = pass(file, format, false, rejects);
            if (bad > 0) {
                return new LoadReport(0, bad, false, Duration.ofNanos(System.nanoTime() - began));
            }
        }
        AtomicReference<Exception> publishFailure = new AtomicReference<>();
        long[] loaded = {0};
        long rejected = pass(file, format, true, strict ? r -> { } : rejects, profile -> {
            if (publishFailure.get() != null) {
                throw new IOException("publishing profile updates failed: " + publishFailure.get().getMessage(), publishFailure.get());
            }
            mutator.mutate(codec.toPut(profile));
            if (updates != null) {
                updates.publish(profile, codec.schema(), e -> publishFailure.compareAndSet(null, e));
            }
            loaded[0]++;
        });
        mutator.flush();
        if (updates != null) {
            updates.flush();
        }
        if (publishFailure.get() != null) {
            throw new IOException("publishing profile updates failed", publishFailure.get());
        }
        return new LoadReport(loaded[0], rejected, true, Duration.ofNanos(System.nanoTime() - began));
    }

    private long pass(Path file, LoadFormat format, boolean write, Consumer<RejectedRow> rejects) throws IOException {
        return pass(file, format, write, rejects, p -> { });
    }

    @FunctionalInterface
    private interface ProfileWriter {
        void write(Profile profile) throws IOException;
    }

    private long pass(Path file, LoadFormat format, boolean write, Consumer<RejectedRow> rejects, ProfileWriter writer)
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
                    if (write) {
                        writer.write(parsed.profile());
                    }
                }
                if ((good + bad) % PROGRESS_EVERY == 0) {
                    listener.progress(bytesRead, totalBytes, write ? good : 0, bad);
                }
            }
        }
        listener.progress(totalBytes, totalBytes, write ? good : 0, bad);
        return bad;
    }
}
