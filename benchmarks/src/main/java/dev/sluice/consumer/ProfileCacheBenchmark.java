package dev.sluice.consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.schema.ProfileSchema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The consumer's profile cache: a lookup of a key's cached bytes, and the lookup plus reading the
 * attributes back (what each event pays). In the consumer's package because the cache is internal.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = "-Xmx1g")
public class ProfileCacheBenchmark {

    static final String SCHEMA = dev.sluice.bench.ProfileStoreBenchmark.SCHEMA;


    @Param({"100000", "1000000"})
    int profiles;

    private final ProfileCache cache = new ProfileCache();
    private ProfileEnrichment enrichment;
    private String[] probes;
    private byte[][] probeBytes;
    private final byte[][] chunk = new byte[CHUNK][];
    private int next;

    // As the consumer does: a chunk of one partition's records, looked up one after the other.
    static final int CHUNK = 128;
    static final int PROBES = 1 << 18;

    @Setup
    public void fill() {
        enrichment = new ProfileEnrichment(ProfileSchema.parse(SCHEMA, "bench"));
        PackedProfiles partition = new PackedProfiles();
        for (int i = 0; i < profiles; i++) {
            partition.put("card-" + i, enrichment.cacheForm(profile(i)));
        }
        cache.install(0, partition);
        SplittableRandom random = new SplittableRandom(7);
        // Far more probes than the CPU's caches hold entries for, so lookups miss as in the consumer.
        probes = new String[PROBES];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = "card-" + random.nextInt(profiles);
        }
        probeBytes = new byte[probes.length][];
        for (int i = 0; i < probes.length; i++) {
            probeBytes[i] = probes[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static Profile profile(int i) {
        return dev.sluice.bench.enrich.EnrichBenchmark.profile(i);
    }

    @Benchmark
    public byte[] lookup() {
        return cache.get(0, probes[next++ & (PROBES - 1)]);
    }

    @Benchmark
    public ObjectNode lookupAndRead() {
        return enrichment.read(cache.get(0, probes[next++ & (PROBES - 1)]));
    }

    /** 128 lookups in a row, as one chunk of records; time per chunk. */
    @Benchmark
    public int lookupChunk() {
        int found = 0;
        for (int i = 0; i < CHUNK; i++) {
            found += cache.get(0, probeBytes[next++ & (PROBES - 1)]).length;
        }
        return found;
    }

    /** The same 128 lookups after {@link ProfileCache#prefetch}: what the consumer does per chunk. */
    @Benchmark
    public int lookupChunkPrefetched() {
        int start = next;
        for (int i = 0; i < CHUNK; i++) {
            chunk[i] = probeBytes[(start + i) & (PROBES - 1)];
        }
        cache.prefetch(0, chunk, CHUNK);
        int found = 0;
        for (int i = 0; i < CHUNK; i++) {
            found += cache.get(0, probeBytes[next++ & (PROBES - 1)]).length;
        }
        return found;
    }
}
