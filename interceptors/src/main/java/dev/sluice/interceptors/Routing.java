package dev.sluice.interceptors;

import dev.sluice.common.event.DeadLetterHeaders;
import org.apache.flume.Event;

import java.util.Map;

/**
 * The headers by which Sluice's interceptors route events. A multiplexing channel selector on
 * {@value #ROUTE_HEADER} sends {@value #ROUTE_EVENTS} to the Kafka channel of {@code events.raw} and
 * {@value #ROUTE_DLQ} to the dead-letter path; the error headers travel with a dead-lettered event
 * (a Kafka sink copies them into record headers) so its provenance is visible without decoding it.
 *
 * <pre>
 * agent.sources.http.selector.type = multiplexing
 * agent.sources.http.selector.header = sluice.route
 * agent.sources.http.selector.mapping.events = raw
 * agent.sources.http.selector.mapping.dlq = dlq
 * </pre>
 */
public final class Routing {

    public static final String ROUTE_HEADER = "sluice.route";
    public static final String ROUTE_EVENTS = "events";
    public static final String ROUTE_DLQ = "dlq";

    public static final String ERROR_REASON_HEADER = DeadLetterHeaders.REASON;
    public static final String ERROR_FIELD_HEADER = DeadLetterHeaders.FIELD;
    public static final String ERROR_MESSAGE_HEADER = DeadLetterHeaders.MESSAGE;
    public static final String ERROR_STAGE_HEADER = DeadLetterHeaders.STAGE;

    private static final int MAX_MESSAGE_CHARS = 500;

    private Routing() {
    }

    public static boolean isDeadLettered(Event event) {
        return ROUTE_DLQ.equals(event.getHeaders().get(ROUTE_HEADER));
    }

    /** Marks the event for the dead-letter path, with why and where. The body is left as it came. */
    public static void deadLetter(Event event, String stage, String reason, String field, String message) {
        Map<String, String> headers = event.getHeaders();
        headers.put(ROUTE_HEADER, ROUTE_DLQ);
        headers.put(ERROR_STAGE_HEADER, stage);
        headers.put(ERROR_REASON_HEADER, reason);
        if (field != null) {
            headers.put(ERROR_FIELD_HEADER, field);
        }
        headers.put(ERROR_MESSAGE_HEADER, message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "…" : message);
    }

    public static void routeToEvents(Event event) {
        event.getHeaders().put(ROUTE_HEADER, ROUTE_EVENTS);
    }
}
