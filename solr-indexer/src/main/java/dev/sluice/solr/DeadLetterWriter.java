package dev.sluice.solr;

import dev.sluice.common.event.DeadLetterHeaders;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends refused records to the dead-letter topic: the value as taken from the channel, the
 * channel's {@code key} header as record key, the {@code sluice.error.*} headers.
 *
 * <p>{@link #write} returns only once Kafka acknowledged every record (acks=all, idempotent
 * producer): the sink commits its channel transaction after that, so a refused record is either in
 * the dead-letter topic or still in the channel, never nowhere.
 */
final class DeadLetterWriter implements AutoCloseable {

    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String stage;

    DeadLetterWriter(Map<String, String> producerSettings, String topic, String stage) {
        Map<String, Object> config = new HashMap<>(producerSettings);
        config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sluice-" + stage + "-dlq");
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.stage = stage;
    }

    void write(List<RejectedRecord> rejected) throws InterruptedException, ExecutionException, TimeoutException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(rejected.size());
        for (RejectedRecord record : rejected) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(DeadLetterHeaders.REASON, bytes(record.reason()));
            if (record.field() != null) {
                headers.add(DeadLetterHeaders.FIELD, bytes(record.field()));
            }
            headers.add(DeadLetterHeaders.MESSAGE, bytes(record.message() == null ? "" : record.message()));
            headers.add(DeadLetterHeaders.STAGE, bytes(stage));
            String key = record.event().getHeaders().get("key");
            sends.add(producer.send(new ProducerRecord<>(topic, null, key == null ? null : bytes(key), record.event().getBody(), headers)));
        }
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
            send.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
