package dev.sluice.solr;

import org.apache.flume.Event;

/**
 * An event the sink will not (or Solr did not) index, with why: it goes to the dead-letter topic
 * with these as headers, and the rest of its batch goes on.
 *
 * @param event the Flume event as taken from the channel (its body is sent unchanged)
 * @param reason a reason code: {@code MALFORMED_EVENT}, {@code FIELD_TOO_LARGE}, {@code SOLR_REJECTED}
 * @param field the field at fault, or null
 * @param message readable detail (Solr's own message for {@code SOLR_REJECTED})
 */
public record RejectedRecord(Event event, String reason, String field, String message) {

    public static final String MALFORMED_EVENT = "MALFORMED_EVENT";
    public static final String FIELD_TOO_LARGE = "FIELD_TOO_LARGE";
    public static final String SOLR_REJECTED = "SOLR_REJECTED";
}
