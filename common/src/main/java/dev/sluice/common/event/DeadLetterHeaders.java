package dev.sluice.common.event;

/**
 * Kafka record headers every Sluice stage puts on what it sends to the dead-letter topic: why,
 * which field, a readable message and which stage refused it. The value is always the record as the
 * stage received it, so a fixed pipeline can re-drive it unchanged.
 */
public final class DeadLetterHeaders {

    /** A reason code, e.g. {@code MALFORMED_EVENT}, {@code SOLR_REJECTED}. */
    public static final String REASON = "sluice.error.reason";
    /** The field at fault, when there is one. */
    public static final String FIELD = "sluice.error.field";
    /** A human-readable explanation (Solr's own message for a document Solr refused). */
    public static final String MESSAGE = "sluice.error.message";
    /** The stage that refused the record, e.g. {@code validate}, {@code solr-sink:events}. */
    public static final String STAGE = "sluice.error.stage";

    private DeadLetterHeaders() {
    }
}
