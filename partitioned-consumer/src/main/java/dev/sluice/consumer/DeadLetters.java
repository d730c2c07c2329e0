package dev.sluice.consumer;

import dev.sluice.common.event.DeadLetterHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Dead-letter records: the original bytes, untouched, with the reason and where they came from
 * in headers (the same {@code sluice.error.*} names the Flume interceptors use, so one DLQ reader
 * understands both stages).
 */
final class DeadLetters {

    static final String REASON = DeadLetterHeaders.REASON;
    static final String FIELD = DeadLetterHeaders.FIELD;
    static final String MESSAGE = DeadLetterHeaders.MESSAGE;
    static final String STAGE = DeadLetterHeaders.STAGE;
    static final String RULE = "sluice.error.rule";
    static final String SOURCE_TOPIC = "sluice.source.topic";
    static final String SOURCE_PARTITION = "sluice.source.partition";
    static final String SOURCE_OFFSET = "sluice.source.offset";
    static final String INSTANCE = "sluice.consumer.instance";

    /** Reasons of this stage, beyond the envelope's own {@code MalformedEventException.Reason}s. */
    static final String UNKNOWN_PROFILE = "UNKNOWN_PROFILE";
    static final String MISROUTED = "MISROUTED";
    static final String RULE_FAILED = "RULE_FAILED";

    private static final int MAX_MESSAGE_CHARS = 1000;

    private final String topic;
    private final int partitions;
    private final String instance;

    DeadLetters(String topic, int partitions, String instance) {
        this.topic = topic;
        this.partitions = partitions;
        this.instance = instance;
    }

    ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> source, String reason, String field, String message,
                                      String rule) {
        Headers headers = new RecordHeaders(source.headers().toArray());
        put(headers, REASON, reason);
        put(headers, FIELD, field);
        put(headers, MESSAGE, message == null ? null
                : message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message);
        put(headers, STAGE, "consumer");
        put(headers, RULE, rule);
        put(headers, SOURCE_TOPIC, source.topic());
        put(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
        put(headers, SOURCE_OFFSET, Long.toString(source.offset()));
        put(headers, INSTANCE, instance);
        // Explicit partition: a malformed record may have no key for the bucket partitioner.
        return new ProducerRecord<>(topic, source.partition() % partitions, null, source.key(), source.value(), headers);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
