package dev.sluice.common.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Objects;

/**
 * The Sluice event envelope: what travels on every Sluice topic.
 *
 * <p>The {@code id} is assigned once at ingest and never changes, so every hop downstream (HBase
 * row key, Solr document id, HDFS reconciliation) can use it to make a replay overwrite instead of
 * duplicate. The {@code key} is the entity key (card, account, device, user id) that decides the
 * bucket, hence the Kafka partition and the HBase row range.
 *
 * <p>The {@code body} is owned by the envelope: callers must not mutate it after construction.
 *
 * @param id stable event id, non-blank
 * @param key entity key, non-blank
 * @param eventTime when the event happened, as stated by its producer
 * @param ingestTime when Sluice first accepted the event
 * @param body the event's JSON payload, a JSON object
 * @param profile the entity's profile attributes that enrichment added, or null before enrichment
 *     (kept apart from {@code body}, which stays as the producer sent it)
 */
public record Event(String id, String key, Instant eventTime, Instant ingestTime, ObjectNode body, ObjectNode profile) {

    /** An event before enrichment. */
    public Event(String id, String key, Instant eventTime, Instant ingestTime, ObjectNode body) {
        this(id, key, eventTime, ingestTime, body, null);
    }

    /** This event with the given profile attributes. */
    public Event withProfile(ObjectNode profileAttributes) {
        return new Event(id, key, eventTime, ingestTime, body, profileAttributes);
    }

    public Event {
        requireNonBlank(id, EventCodec.FIELD_ID);
        requireNonBlank(key, EventCodec.FIELD_KEY);
        Objects.requireNonNull(eventTime, EventCodec.FIELD_EVENT_TIME);
        Objects.requireNonNull(ingestTime, EventCodec.FIELD_INGEST_TIME);
        Objects.requireNonNull(body, EventCodec.FIELD_BODY);
    }

    private static void requireNonBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("event field '" + field + "' must be a non-blank string");
        }
    }
}
