package dev.sluice.profiles.load;

import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import org.apache.hadoop.hbase.client.BufferedMutator;

import java.io.IOException;

/**
 * Rows through HBase's write path (WAL and memstore) in {@link BufferedMutator} batches: readable
 * as soon as each batch lands, and the only mode that works with nothing but the HBase client.
 */
public final class MutatorRowSink implements ProfileRowSink {

    private final ProfileCodec codec;
    private final BufferedMutator mutator;
    private final boolean ownsMutator;

    /** @param ownsMutator whether {@link #close()} closes the mutator (else the caller does) */
    public MutatorRowSink(ProfileCodec codec, BufferedMutator mutator, boolean ownsMutator) {
        this.codec = codec;
        this.mutator = mutator;
        this.ownsMutator = ownsMutator;
    }

    @Override
    public void write(Profile profile) throws IOException {
        mutator.mutate(codec.toPut(profile));
    }

    @Override
    public boolean incremental() {
        return true;
    }

    @Override
    public void finish() throws IOException {
        mutator.flush();
    }

    @Override
    public void close() throws IOException {
        if (ownsMutator) {
            mutator.close();
        }
    }
}
