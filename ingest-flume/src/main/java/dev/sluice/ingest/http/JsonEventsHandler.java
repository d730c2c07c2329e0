package dev.sluice.ingest.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.event.EventBuilder;
import org.apache.flume.source.http.HTTPBadRequestException;
import org.apache.flume.source.http.HTTPSourceHandler;

import javax.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP source handler for what a plain HTTP client sends: one JSON object, a JSON array of
 * objects, or JSON Lines. Each object becomes one event whose body is that object's JSON.
 *
 * <p>Unlike Flume's stock {@code JSONHandler}, clients need not wrap events in Flume's
 * {@code [{"headers":…,"body":"…"}]} form. Nothing that is not JSON is refused: in JSON Lines each
 * bad line becomes one event with its raw bytes (the good lines of the request go on), any other
 * unparseable body one raw event, and the validate interceptor sends those to the dead-letter topic
 * with their reason, so nothing a client sent is lost. Only a request larger than
 * {@code maxRequestBytes} is refused (HTTP 400).
 *
 * <pre>
 * agent.sources.http.type = http
 * agent.sources.http.port = 8080
 * agent.sources.http.handler = dev.sluice.ingest.http.JsonEventsHandler
 * agent.sources.http.handler.maxRequestBytes = 16777216
 * </pre>
 */
public final class JsonEventsHandler implements HTTPSourceHandler {

    public static final String MAX_REQUEST_BYTES = "maxRequestBytes";
    public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

    @Override
    public void configure(Context context) {
        String value = context.getString(MAX_REQUEST_BYTES);
        if (value != null) {
            try {
                maxRequestBytes = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                maxRequestBytes = -1;
            }
            if (maxRequestBytes < 1) {
                throw new IllegalArgumentException("JsonEventsHandler: 'handler." + MAX_REQUEST_BYTES
                        + "' must be a positive integer, was '" + value + "'");
            }
        }
    }

    @Override
    public List<Event> getEvents(HttpServletRequest request) throws HTTPBadRequestException, IOException {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxRequestBytes + 1);
        }
        if (body.length > maxRequestBytes) {
            throw new HTTPBadRequestException("request larger than " + maxRequestBytes + " bytes");
        }
        return toEvents(body);
    }

    /** Splits a request body into one event per JSON object; anything unparseable is one raw event. */
    static List<Event> toEvents(byte[] body) {
        List<Event> events = new ArrayList<>();
        if (body.length == 0) {
            return events;
        }
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_ARRAY) {
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    events.add(event(JSON.readTree(parser)));
                }
                if (parser.currentToken() != JsonToken.END_ARRAY) {
                    return raw(body);
                }
                return events;
            }
            while (first == JsonToken.START_OBJECT) { // one object, or JSON Lines
                events.add(event(JSON.readTree(parser)));
                first = parser.nextToken();
            }
            return first == null ? events : lineByLine(body);
        } catch (IOException e) {
            return lineByLine(body);
        }
    }

    /**
     * JSON Lines with bad lines: every line that is a JSON object is an event, every other non-blank
     * line is a raw event of its own (dead-lettered downstream), so one bad line costs one event,
     * not its whole request. A body without line breaks is one raw event.
     */
    private static List<Event> lineByLine(byte[] body) {
        List<Event> events = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
                if (end > start && !isBlank(body, start, end)) {
                    byte[] line = java.util.Arrays.copyOfRange(body, start, end);
                    events.add(parseLine(line));
                }
                start = i + 1;
            }
        }
        return events.isEmpty() ? raw(body) : events;
    }

    private static Event parseLine(byte[] line) {
        try (JsonParser parser = JSON.getFactory().createParser(line)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                JsonNode node = JSON.readTree(parser);
                if (parser.nextToken() == null) {
                    return event(node);
                }
            }
        } catch (IOException e) {
            // not JSON: kept raw below
        }
        return EventBuilder.withBody(line);
    }

    private static boolean isBlank(byte[] body, int start, int end) {
        for (int i = start; i < end; i++) {
            if (!Character.isWhitespace(body[i])) {
                return false;
            }
        }
        return true;
    }

    private static Event event(JsonNode node) throws IOException {
        return EventBuilder.withBody(JSON.writeValueAsBytes(node));
    }

    private static List<Event> raw(byte[] body) {
        List<Event> events = new ArrayList<>();
        events.add(EventBuilder.withBody(body));
        return events;
    }
}
