package dev.sluice.common.kafka;

import org.apache.kafka.common.KafkaException;

/**
 * Thrown by {@link BucketPartitioner} for a record without a key under the {@code fail} policy.
 * The producer's {@code send} fails with it, so the caller (a Flume channel transaction, a
 * service) sees the problem instead of the record landing on an arbitrary partition.
 */
public final class KeylessRecordException extends KafkaException {

    private static final long serialVersionUID = 1L;

    public KeylessRecordException(String topic) {
        super("record for topic '" + topic + "' has no key: Sluice routes by entity key and will not"
                + " place it on an arbitrary partition (set " + BucketPartitioner.KEYLESS_POLICY_CONFIG
                + "=first-partition to accept it there instead)");
    }
}
