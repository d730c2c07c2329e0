package dev.sluice.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.schema.ProfileSchema;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileEnrichmentTest {

    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            attributes:
              holder_name: string
              segment: string
              credit_limit: double
              txn_count_30d: long
              card_since: timestamp
              vip: boolean
            enrich: [segment, credit_limit, vip, card_since]
            """, "test");
    private static final EventCodec CODEC = new EventCodec();

    private final ProfileEnrichment enrichment = new ProfileEnrichment(SCHEMA);

    @Test
    void enrichingWithoutTreesWritesWhatEnrichingTheTreesWrites() throws Exception {
        // Attributes handed over in an order unlike the schema's: the cache form puts them in schema order.
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("vip", true);
        attributes.put("card_since", Instant.parse("2020-01-02T03:04:05Z"));
        attributes.put("holder_name", "Ada \"Quoted\" Lovelace");
        attributes.put("txn_count_30d", 12L);
        attributes.put("credit_limit", 1500.5);
        attributes.put("segment", "gold");
        byte[] cached = enrichment.cacheForm(new Profile("card-1", attributes));
        // A producer's record: epoch-millis times, spaces, an unknown field and a nested body.
        byte[] record = ("{ \"key\": \"card-1\", \"id\": \"e-1\", \"eventTime\": 1763719200123, \"extra\": [1, {\"a\": 2}],"
                + " \"ingestTime\": \"2026-11-21T10:00:01Z\", \"body\": {\"amount\": 12.5, \"tags\": [\"x\", \"é\"],"
                + " \"nested\": {\"n\": null}} }").getBytes(StandardCharsets.UTF_8);

        byte[] withoutTrees = CODEC.encode(CODEC.decodeRaw(record), enrichment.projection(cached));
        byte[] withTrees = CODEC.encode(enrichment.enrich(CODEC.decode(record), enrichment.read(cached)));

        JsonNode expected = CODEC.mapper().readTree(withTrees);
        assertThat(CODEC.mapper().readTree(withoutTrees)).isEqualTo(expected);
        List<String> names = new java.util.ArrayList<>();
        expected.get("profile").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("segment", "credit_limit", "card_since", "vip");
        assertThat(new String(withoutTrees, StandardCharsets.UTF_8)).contains("\"profile\":{\"segment\":\"gold\",\"credit_limit\":1500.5,");
        assertThat(decode(withoutTrees).eventTime()).isEqualTo(Instant.ofEpochMilli(1763719200123L));
    }

    @Test
    void theCacheFormReadsBackEveryAttributeAndItsProjectionIsASliceOfIt() throws Exception {
        Map<String, Object> attributes = Map.of("holder_name", "Zoë", "segment", "gold", "credit_limit", 900.0,
                "txn_count_30d", 3L, "vip", false);
        byte[] cached = enrichment.cacheForm(new Profile("card-3", attributes));

        // Compared as parsed JSON: a long written as 3 reads back as an int node.
        assertThat(enrichment.read(cached)).isEqualTo(
                CODEC.mapper().readTree(CODEC.mapper().writeValueAsBytes(enrichment.attributes(new Profile("card-3", attributes)))));
        byte[] slice = enrichment.projection(cached);
        assertThat(new String(slice, StandardCharsets.UTF_8)).isEqualTo("{\"segment\":\"gold\",\"credit_limit\":900.0,\"vip\":false}");
        // The hot path encodes from the slice in place; the result is what encoding a copy gives.
        byte[] record = "{\"id\":\"e-3\",\"key\":\"card-3\",\"eventTime\":\"2026-11-21T10:00:00Z\",\"ingestTime\":\"2026-11-21T10:00:01Z\",\"body\":{\"amount\":1}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(enrichment.enrich(CODEC, CODEC.decodeRaw(record), cached))
                .isEqualTo(CODEC.encode(CODEC.decodeRaw(record), slice));
        // Five bytes beyond one JSON object of every attribute: the length, and "}{" where a comma was.
        assertThat(cached.length).isEqualTo(CODEC.mapper().writeValueAsBytes(enrichment.read(cached)).length + 5);
    }

    @Test
    void aProfileWithoutSomeEnrichAttributesCopiesThoseItHas() {
        byte[] cached = enrichment.cacheForm(new Profile("card-2", Map.of("holder_name", "B", "segment", "basic")));

        assertThat(new String(enrichment.projection(cached), StandardCharsets.UTF_8)).isEqualTo("{\"segment\":\"basic\"}");
    }

    private static Event decode(byte[] bytes) {
        try {
            return CODEC.decode(bytes);
        } catch (dev.sluice.common.event.MalformedEventException e) {
            throw new AssertionError(e);
        }
    }
}
