package dev.sluice.interceptors;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.event.MalformedEventException.Reason;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks that each event body is a JSON object within the size limit that has every required
 * field. A valid event gets {@code sluice.route=events}; an invalid one is never dropped: it gets
 * {@code sluice.route=dlq} and the error headers of {@link Routing} (reason, field, message), and a
 * multiplexing selector sends it to the dead-letter path.
 *
 * <p>Keys:
 * <ul>
 *   <li>{@code requiredFields}: comma-separated field paths ({@code card_id,amount,merchant.id}); default none</li>
 *   <li>{@code maxBodyBytes}: largest accepted body, default 1048576 (Kafka's default message size)</li>
 * </ul>
 *
 * <p>Sample agent configuration:
 * <pre>
 * agent.sources.http.interceptors = validate identify
 * agent.sources.http.interceptors.validate.type = dev.sluice.interceptors.ValidateInterceptor$Builder
 * agent.sources.http.interceptors.validate.requiredFields = card_id,amount
 * agent.sources.http.interceptors.validate.maxBodyBytes = 65536
 * </pre>
 *
 * <p>Counters: {@code INTERCEPTOR.<name>} ({@code name} key, default {@code validate-1}, {@code validate-2}, …) with {@code EventReceivedCount}, {@code EventAcceptedCount},
 * {@code EventDeadLetteredCount}. Called from the source's thread; stateless between events.
 */
public final class ValidateInterceptor extends CountingInterceptor {

    static final String STAGE = "validate";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    private final List<FieldPath> requiredFields;
    private final int maxBodyBytes;

    ValidateInterceptor(List<FieldPath> requiredFields, int maxBodyBytes, InterceptorCounters counters) {
        super(counters);
        this.requiredFields = List.copyOf(requiredFields);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    Outcome process(Event event) {
        if (check(event) != null) {
            return Outcome.DEAD_LETTERED;
        }
        Routing.routeToEvents(event);
        return Outcome.ACCEPTED;
    }

    /** Null when valid; otherwise the event has been marked for the dead-letter path. */
    private String check(Event event) {
        byte[] body = event.getBody();
        if (body == null || body.length == 0) {
            return fail(event, Reason.NOT_JSON, null, "empty body");
        }
        if (body.length > maxBodyBytes) {
            return fail(event, Reason.TOO_LARGE, null, "body of " + body.length + " bytes exceeds maxBodyBytes " + maxBodyBytes);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            String message = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("");
            return fail(event, Reason.NOT_JSON, null, "not valid JSON: " + message);
        }
        if (root == null || !root.isObject()) {
            return fail(event, Reason.NOT_AN_OBJECT, null, "expected a JSON object");
        }
        for (FieldPath field : requiredFields) {
            if (field.find(root) == null) {
                return fail(event, Reason.MISSING_FIELD, field.toString(), "required field '" + field + "' is missing");
            }
        }
        return null;
    }

    private static String fail(Event event, Reason reason, String field, String message) {
        Routing.deadLetter(event, STAGE, reason.name(), field, message);
        return message;
    }

    /** Builds {@link ValidateInterceptor}; configured once per agent start, failing with the key named. */
    public static final class Builder implements Interceptor.Builder {
        public static final String REQUIRED_FIELDS = "requiredFields";
        public static final String MAX_BODY_BYTES = "maxBodyBytes";
        public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

        private List<FieldPath> requiredFields = List.of();
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private String name = STAGE;

        @Override
        public void configure(Context context) {
            List<FieldPath> fields = new ArrayList<>();
            String list = context.getString(REQUIRED_FIELDS, "");
            for (String field : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
                fields.add(ConfigKeys.fieldPath(context, STAGE, REQUIRED_FIELDS, field));
            }
            requiredFields = fields;
            maxBodyBytes = ConfigKeys.positiveInt(context, STAGE, MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES);
            name = InterceptorCounters.nameFor(context, STAGE);
        }

        @Override
        public Interceptor build() {
            return new ValidateInterceptor(requiredFields, maxBodyBytes, new InterceptorCounters(name));
        }
    }
}
