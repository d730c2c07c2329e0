package dev.sluice.consumer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
    void enrichingFromTheCachedBytesEqualsEnrichingFromTheTreeByteForByte() {
        // Attributes handed over in an order unlike the schema's: the cache form puts them in schema order.
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("vip", true);
        attributes.put("card_since", Instant.parse("2020-01-02T03:04:05Z"));
        attributes.put("holder_name", "Ada \"Quoted\" Lovelace");
        attributes.put("txn_count_30d", 12L);
        attributes.put("credit_limit", 1500.5);
        attributes.put("segment", "gold");
        byte[] cached = enrichment.cacheForm(new Profile("card-1", attributes));
        Event event = new Event("e-1", "card-1", Instant.parse("2026-11-21T10:00:00.123Z"), Instant.parse("2026-11-21T10:00:01Z"),
                JsonNodeFactory.instance.objectNode().put("amount", 12.5));

        byte[] fromBytes = CODEC.encode(enrichment.enrich(event, cached));
        byte[] fromTree = CODEC.encode(enrichment.enrich(event, enrichment.read(cached)));

        assertThat(new String(fromBytes, StandardCharsets.UTF_8)).isEqualTo(new String(fromTree, StandardCharsets.UTF_8));
        Event decoded = decode(fromBytes);
        List<String> names = new java.util.ArrayList<>();
        decoded.profile().fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("segment", "credit_limit", "card_since", "vip");
        assertThat(decoded.profile().get("credit_limit").doubleValue()).isEqualTo(1500.5);
        assertThat(decoded.profile().get("vip").booleanValue()).isTrue();
    }

    @Test
    void aProfileWithoutSomeEnrichAttributesCopiesThoseItHas() {
        byte[] cached = enrichment.cacheForm(new Profile("card-2", Map.of("holder_name", "B", "segment", "basic")));
        Event event = new Event("e-2", "card-2", Instant.EPOCH, Instant.EPOCH, JsonNodeFactory.instance.objectNode());

        Event enriched = enrichment.enrich(event, cached);

        assertThat(enriched.profile().toString()).isEqualTo("{\"segment\":\"basic\"}");
    }

    private static Event decode(byte[] bytes) {
        try {
            return CODEC.decode(bytes);
        } catch (dev.sluice.common.event.MalformedEventException e) {
            throw new AssertionError(e);
        }
    }
}
