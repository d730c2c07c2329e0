package dev.sluice.common.event;

/**
 * A record that cannot be decoded as a Sluice {@link Event}. Carries a machine-readable
 * {@link Reason} and the offending field (if any), which the dead-letter path copies into the
 * record headers so an operator can see why without decoding anything.
 */
public final class MalformedEventException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a record was rejected. The names are stable: they appear in dead-letter headers. */
    public enum Reason {
        /** Empty, not UTF-8, or not JSON at all. */
        NOT_JSON,
        /** Valid JSON, but not a JSON object. */
        NOT_AN_OBJECT,
        /** A required field is absent or null. */
        MISSING_FIELD,
        /** A field is present with the wrong JSON type or an unparseable value. */
        WRONG_TYPE,
        /** A string field that must carry a value is empty or blank. */
        EMPTY_FIELD,
        /** The encoded record is larger than the configured limit. */
        TOO_LARGE
    }

    private final Reason reason;
    private final String field;

    public MalformedEventException(Reason reason, String field, String message) {
        super(message);
        this.reason = reason;
        this.field = field;
    }

    public MalformedEventException(Reason reason, String field, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.field = field;
    }

    public Reason reason() {
        return reason;
    }

    /** The offending field name, or {@code null} when the problem is the record as a whole. */
    public String field() {
        return field;
    }
}
