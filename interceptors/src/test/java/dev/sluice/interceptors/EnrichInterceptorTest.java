package dev.sluice.interceptors;

import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.flume.ChannelException;
import org.apache.flume.Context;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrichInterceptorTest {

    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            attributes:
              holder: string
              segment: string
              vip: boolean
            enrich: [segment, vip]
            """, "test");

    private final EventCodec codec = new EventCodec();

    /** Profiles in memory; records every multi-get; can be switched off like an unreachable HBase. */
    private static final class FakeLookup implements EnrichInterceptor.ProfileLookup {
        final Map<String, Profile> profiles = new HashMap<>();
        final List<List<String>> calls = new ArrayList<>();
        boolean down;

        @Override
        public ProfileSchema schema() {
            return SCHEMA;
        }

        @Override
        public Map<String, Profile> getAll(Collection<String> keys) throws IOException {
            if (down) {
                throw new IOException("HBase is down");
            }
            calls.add(List.copyOf(keys));
            Map<String, Profile> found = new HashMap<>();
            keys.forEach(k -> {
                if (profiles.containsKey(k)) {
                    found.put(k, profiles.get(k));
                }
            });
            return found;
        }

        @Override
        public void close() {
        }
    }

    private final FakeLookup lookup = new FakeLookup();

    {
        lookup.profiles.put("card-1", new Profile("card-1", Map.of("holder", "Ann", "segment", "gold", "vip", true)));
        lookup.profiles.put("card-2", new Profile("card-2", Map.of("segment", "retail", "vip", false)));
    }

    private EnrichInterceptor interceptor(EnrichInterceptor.UnavailablePolicy policy) {
        EnrichInterceptor enrich = new EnrichInterceptor(() -> lookup, 1000, Duration.ofMinutes(5), Duration.ofMinutes(1),
                policy, new EnrichCounters("enrich-test-" + System.nanoTime()));
        enrich.initialize();
        return enrich;
    }

    private org.apache.flume.Event event(String key) {
        Event envelope = new Event("id-" + key, key, Instant.EPOCH, Instant.EPOCH, codec.mapper().createObjectNode().put("amount", 5));
        return EventBuilder.withBody(codec.encode(envelope), Map.of("key", key));
    }

    @Test
    void addsTheEnrichAttributesOfTheProfileAndFlagsMissingOnes() throws Exception {
        List<org.apache.flume.Event> events = interceptor(EnrichInterceptor.UnavailablePolicy.PASS)
                .intercept(List.of(event("card-1"), event("card-404")));

        Event enriched = codec.decode(events.get(0).getBody());
        assertThat(enriched.profile()).isNotNull();
        assertThat(enriched.profile().path("segment").asText()).isEqualTo("gold");
        assertThat(enriched.profile().path("vip").asBoolean()).isTrue();
        assertThat(enriched.profile().has("holder")).as("only the attributes marked enrich").isFalse();
        assertThat(enriched.body().path("amount").asInt()).as("the producer's body is untouched").isEqualTo(5);
        assertThat(events.get(0).getHeaders()).containsEntry(EnrichInterceptor.PROFILE_HEADER, "found");

        assertThat(codec.decode(events.get(1).getBody()).profile()).isNull();
        assertThat(events.get(1).getHeaders()).containsEntry(EnrichInterceptor.PROFILE_HEADER, "missing");
    }

    @Test
    void makesOneHBaseCallPerBatchForCacheMissesOnlyAndCachesAbsenceToo() {
        EnrichInterceptor enrich = interceptor(EnrichInterceptor.UnavailablePolicy.PASS);
        enrich.intercept(List.of(event("card-1"), event("card-2"), event("card-1"), event("card-404")));
        enrich.intercept(List.of(event("card-1"), event("card-404"), event("card-3")));
        enrich.intercept(List.of(event("card-2"), event("card-404")));

        assertThat(lookup.calls).containsExactly(List.of("card-1", "card-2", "card-404"), List.of("card-3"));
        assertThat(enrich.count(EnrichCounters.HBASE_CALLS)).isEqualTo(2);
        assertThat(enrich.count(EnrichCounters.HBASE_KEYS)).isEqualTo(4);
        assertThat(enrich.count(EnrichCounters.CACHE_HITS)).isEqualTo(4);
        assertThat(enrich.count(InterceptorCounters.ACCEPTED)).isEqualTo(9);
    }

    @Test
    void passesEventsUnenrichedAndFlaggedWhenHBaseIsDownUnderThePassPolicy() {
        lookup.down = true;
        EnrichInterceptor enrich = interceptor(EnrichInterceptor.UnavailablePolicy.PASS);
        List<org.apache.flume.Event> events = enrich.intercept(List.of(event("card-1"), event("card-2")));

        assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e.getHeaders()).containsEntry(EnrichInterceptor.PROFILE_HEADER, "unavailable"));
        assertThat(enrich.count(EnrichCounters.HBASE_UNAVAILABLE)).isEqualTo(2);

        lookup.down = false; // HBase is back: the next batch is enriched, nothing was cached from the outage
        assertThat(enrich.intercept(List.of(event("card-1"))).get(0).getHeaders()).containsEntry(EnrichInterceptor.PROFILE_HEADER, "found");
    }

    @Test
    void refusesTheBatchWhenHBaseIsDownUnderTheBlockPolicy() {
        lookup.down = true;
        EnrichInterceptor enrich = interceptor(EnrichInterceptor.UnavailablePolicy.BLOCK);
        assertThatThrownBy(() -> enrich.intercept(List.of(event("card-1"))))
                .isInstanceOf(ChannelException.class)
                .hasMessageContaining("onUnavailable=block");
    }

    @Test
    void failsAtConfigureTimeNamingTheKey() {
        assertThatThrownBy(() -> new EnrichInterceptor.Builder().configure(new Context(Map.of())))
                .hasMessage("enrich interceptor: 'zookeeperQuorum' is required");
        assertThatThrownBy(() -> new EnrichInterceptor.Builder().configure(new Context(Map.of("zookeeperQuorum", "zk:2181", "onUnavailable", "retry"))))
                .hasMessage("enrich interceptor: 'onUnavailable' must be pass or block, was 'retry'");
    }
}
