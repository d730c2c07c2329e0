package dev.sluice.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.EventIds;
import dev.sluice.common.event.MalformedEventException.Reason;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Turns a raw JSON event into a Sluice envelope ({@code {"id","key","eventTime","ingestTime","body"}},
 * see {@link EventCodec}) and sets the {@code key} header that the Kafka channel uses as the record
 * key, so {@code BucketPartitioner} (or Kafka's default partitioner) routes it by entity key.
 *
 * <ul>
 *   <li>{@code id}: the value of {@code idField} when the producer sends a stable id of its own,
 *       otherwise a new time-ordered UUID. Assigned once, here: every later hop keys on it.</li>
 *   <li>{@code key}: the value of {@code keyField} (a string or an integer).</li>
 *   <li>{@code eventTime}: the value of {@code eventTimeField} (ISO-8601 or epoch milliseconds),
 *       or the ingest time when that key is not set or the event has no such field.</li>
 *   <li>{@code ingestTime}: now.</li>
 * </ul>
 *
 * <p>An event already marked for the dead-letter path passes untouched; one without a usable key
 * or with an unreadable event time is marked for it (reason, field and message in headers).
 *
 * <p>Keys: {@code keyField} (required), {@code eventTimeField}, {@code idField},
 * {@code keyHeader} (default {@code key}). Sample:
 * <pre>
 * agent.sources.http.interceptors.identify.type = dev.sluice.interceptors.IdentifyInterceptor$Builder
 * agent.sources.http.interceptors.identify.keyField = card_id
 * agent.sources.http.interceptors.identify.eventTimeField = ts
 * </pre>
 */
public final class IdentifyInterceptor extends CountingInterceptor {

    static final String STAGE = "identify";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FieldPath keyField;
    private final FieldPath eventTimeField;
    private final FieldPath idField;
    private final String keyHeader;
    private final Clock clock;
    private final EventIds ids;
    private final EventCodec codec = new EventCodec(Integer.MAX_VALUE);

    IdentifyInterceptor(FieldPath keyField, FieldPath eventTimeField, FieldPath idField, String keyHeader,
                        Clock clock, EventIds ids, InterceptorCounters counters) {
        super(counters);
        this.keyField = keyField;
        this.eventTimeField = eventTimeField;
        this.idField = idField;
        this.keyHeader = keyHeader;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    Outcome process(Event event) {
        if (Routing.isDeadLettered(event)) {
            return Outcome.PASSED_THROUGH;
        }
        JsonNode root;
        try {
            root = event.getBody() == null ? null : JSON.readTree(event.getBody());
        } catch (IOException e) {
            return deadLetter(event, Reason.NOT_JSON, null, "not valid JSON");
        }
        if (root == null || !root.isObject()) {
            return deadLetter(event, Reason.NOT_AN_OBJECT, null, "expected a JSON object");
        }
        JsonNode keyNode = keyField.find(root);
        if (keyNode == null) {
            return deadLetter(event, Reason.MISSING_FIELD, keyField.toString(), "key field '" + keyField + "' is missing");
        }
        if (!keyNode.isTextual() && !keyNode.isIntegralNumber()) {
            return deadLetter(event, Reason.WRONG_TYPE, keyField.toString(), "key field '" + keyField + "' must be a string or an integer");
        }
        String key = keyNode.asText().trim();
        if (key.isEmpty()) {
            return deadLetter(event, Reason.EMPTY_FIELD, keyField.toString(), "key field '" + keyField + "' is empty");
        }
        Instant ingestTime = clock.instant();
        Instant eventTime = ingestTime;
        if (eventTimeField != null) {
            JsonNode timeNode = eventTimeField.find(root);
            if (timeNode != null) {
                try {
                    eventTime = timeNode.isIntegralNumber() ? Instant.ofEpochMilli(timeNode.longValue()) : Instant.parse(timeNode.asText());
                } catch (DateTimeParseException e) {
                    return deadLetter(event, Reason.WRONG_TYPE, eventTimeField.toString(),
                            "event time field '" + eventTimeField + "' is not ISO-8601 or epoch milliseconds");
                }
            }
        }
        String id = null;
        if (idField != null) {
            JsonNode idNode = idField.find(root);
            if (idNode != null && idNode.isValueNode() && !idNode.asText().isBlank()) {
                id = idNode.asText();
            }
        }
        if (id == null) {
            id = ids.next();
        }
        event.setBody(codec.encode(new dev.sluice.common.event.Event(id, key, eventTime, ingestTime, (ObjectNode) root)));
        event.getHeaders().put(keyHeader, key);
        Routing.routeToEvents(event);
        return Outcome.ACCEPTED;
    }

    private static Outcome deadLetter(Event event, Reason reason, String field, String message) {
        Routing.deadLetter(event, STAGE, reason.name(), field, message);
        return Outcome.DEAD_LETTERED;
    }

    /** Builds {@link IdentifyInterceptor}; fails at configure time naming a missing or bad key. */
    public static final class Builder implements Interceptor.Builder {
        public static final String KEY_FIELD = "keyField";
        public static final String EVENT_TIME_FIELD = "eventTimeField";
        public static final String ID_FIELD = "idField";
        public static final String KEY_HEADER = "keyHeader";

        private FieldPath keyField;
        private FieldPath eventTimeField;
        private FieldPath idField;
        private String keyHeader = "key";
        private String name = STAGE;

        @Override
        public void configure(Context context) {
            keyField = ConfigKeys.fieldPath(context, STAGE, KEY_FIELD, ConfigKeys.required(context, STAGE, KEY_FIELD));
            String time = context.getString(EVENT_TIME_FIELD);
            eventTimeField = time == null || time.isBlank() ? null : ConfigKeys.fieldPath(context, STAGE, EVENT_TIME_FIELD, time);
            String id = context.getString(ID_FIELD);
            idField = id == null || id.isBlank() ? null : ConfigKeys.fieldPath(context, STAGE, ID_FIELD, id);
            keyHeader = context.getString(KEY_HEADER, "key");
            name = InterceptorCounters.nameFor(context, STAGE);
        }

        @Override
        public Interceptor build() {
            if (keyField == null) {
                throw new IllegalStateException(STAGE + " interceptor: '" + KEY_FIELD + "' is required");
            }
            return new IdentifyInterceptor(keyField, eventTimeField, idField, keyHeader, Clock.systemUTC(),
                    EventIds.systemDefault(), new InterceptorCounters(name));
        }
    }
}
