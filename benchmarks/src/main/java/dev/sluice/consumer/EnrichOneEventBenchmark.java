package dev.sluice.consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.RawEvent;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.rules.Alert;
import dev.sluice.rules.RuleSet;
import dev.sluice.rules.WindowStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the consumer does per event, without Kafka: decode the envelope, check its partition,
 * look up and read the profile, enrich, update the windows and evaluate the sample rules
 * ({@code conf/rules/cards.yaml}), encode the enriched event. Also the same without rules (the body
 * kept as bytes), and the rules alone. Event times carry milliseconds, as a Flume source writes them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx1g")
public class EnrichOneEventBenchmark {

    private static final int PROFILES = 100_000;
    private static final String RULES = """
            windows:
              - {name: txn_count_10m, aggregate: count, size: 10m, step: 1m}
              - {name: spend_24h, aggregate: sum, field: amount, size: 24h, type: tumbling}
            rules:
              - {name: over_limit, severity: high, expression: event.body.amount > profile.credit_limit}
              - {name: burst, severity: medium, expression: window.txn_count_10m >= 8}
              - {name: daily_spend, severity: high, expression: window.spend_24h > profile.credit_limit * 2}
            """;

    private final EventCodec codec = new EventCodec();
    private final Buckets buckets = Buckets.defaults();
    private final ProfileCache cache = new ProfileCache();
    private ProfileEnrichment enrichment;
    private RuleSet rules;
    private WindowStore windows;
    private byte[][] records;
    private Map<String, Object> facts;
    private Map<String, Object> profileFacts;
    private Map<String, Number> windowValues;
    private int next;

    @Setup
    public void setUp() throws Exception {
        enrichment = new ProfileEnrichment(ProfileSchema.parse(ProfileCacheBenchmark.SCHEMA, "bench"));
        PackedProfiles partition = new PackedProfiles();
        for (int i = 0; i < PROFILES; i++) {
            partition.put("card-" + i, enrichment.cacheForm(ProfileCacheBenchmark.profile(i)));
        }
        // One cache partition holds every profile: the partition check below is computed, not enforced.
        cache.install(0, partition);
        rules = RuleSet.parse(RULES, "bench");
        windows = new WindowStore(rules.windows());
        SplittableRandom random = new SplittableRandom(11);
        records = new byte[4096][];
        Instant now = Instant.parse("2026-11-21T09:00:00Z");
        for (int i = 0; i < records.length; i++) {
            String key = "card-" + random.nextInt(PROFILES);
            ObjectNode body = codec.mapper().createObjectNode().put("card_id", key).put("amount", random.nextInt(50_000) / 100.0)
                    .put("merchant", "m-" + random.nextInt(1000)).put("country", "DE");
            records[i] = codec.encode(new Event("e-" + i, key, now.plusMillis(i * 1_007L), now.plusMillis(i * 1_007L + 3), body));
        }
        Event sample = codec.decode(records[0]);
        Map<String, Object> body = RuleSet.toJava(sample.body());
        facts = RuleSet.eventFacts(sample.id(), sample.key(), sample.eventTime().toEpochMilli(), sample.ingestTime().toEpochMilli(), body);
        profileFacts = RuleSet.toJava(enrichment.read(cache.get(0, sample.key())));
        windowValues = Map.of("txn_count_10m", 3L, "spend_24h", 420.0);
    }

    @Benchmark
    public byte[] decodeLookupEnrichRulesEncode(Blackhole blackhole) throws Exception {
        Event event = codec.decode(records[next++ & 4095]);
        int partition = buckets.partitionOfKey(event.key().getBytes(StandardCharsets.UTF_8), 12);
        byte[] attributes = cache.get(0, event.key());
        ObjectNode profile = enrichment.read(attributes);
        Event enriched = enrichment.enrich(event, profile);
        Map<String, Object> body = RuleSet.toJava(event.body());
        Map<String, Number> values = windows.addAndRead(event.key(), event.eventTime().toEpochMilli(), body);
        Map<String, Object> eventFacts = RuleSet.eventFacts(event.id(), event.key(), event.eventTime().toEpochMilli(),
                event.ingestTime().toEpochMilli(), body);
        blackhole.consume(partition);
        blackhole.consume(rules.evaluate(eventFacts, RuleSet.toJava(profile), values, failure -> { }));
        return codec.encode(enriched);
    }

    /** The consumer's path without rules: the body stays bytes, the cached enrich attributes are copied in. */
    @Benchmark
    public byte[] decodeLookupEnrichEncodeWithoutRules(Blackhole blackhole) throws Exception {
        RawEvent event = codec.decodeRaw(records[next++ & 4095]);
        byte[] key = event.key().getBytes(StandardCharsets.UTF_8);
        blackhole.consume(buckets.partitionOfKey(key, 12));
        return enrichment.enrich(codec, event, cache.get(0, key));
    }

    @Benchmark
    public List<Alert> threeRulesOnly() {
        return rules.evaluate(facts, profileFacts, windowValues, failure -> { });
    }
}
