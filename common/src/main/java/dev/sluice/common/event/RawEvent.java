package dev.sluice.common.event;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * An event decoded and checked like an {@link Event}, whose body is left as its bytes in the record
 * it came from: what enrichment without rules needs, since it copies the body through unchanged.
 * Building the body's tree and writing it back out was half the consumer's per-event CPU.
 *
 * @param source the record value the event was decoded from; not copied, callers must not change it
 * @param bodyStart offset of the body object's opening brace in {@code source}
 * @param bodyEnd offset just past its closing brace
 * @param eventTimeText the event time as the record wrote it, when that is exactly what {@link Instant#toString}
 *                      writes for it (so an encoder can copy it instead of formatting the instant again); else null
 * @param ingestTimeText the same for the ingest time
 */
public record RawEvent(String id, String key, Instant eventTime, Instant ingestTime, byte[] source, int bodyStart, int bodyEnd,
                       String eventTimeText, String ingestTimeText) {

    /** An event whose times are formatted when it is encoded. */
    public RawEvent(String id, String key, Instant eventTime, Instant ingestTime, byte[] source, int bodyStart, int bodyEnd) {
        this(id, key, eventTime, ingestTime, source, bodyStart, bodyEnd, null, null);
    }

    /** The body, exactly as the producer wrote it (a JSON object). */
    public String bodyJson() {
        return new String(source, bodyStart, bodyEnd - bodyStart, StandardCharsets.UTF_8);
    }
}
