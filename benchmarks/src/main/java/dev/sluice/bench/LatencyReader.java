package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A read_committed reader of an output topic recording send → visible latency: each event's body
 * carries {@code sentNanos}, the producer's {@code System.nanoTime()} (same machine, same clock).
 */
public final class LatencyReader extends Thread implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final AtomicLong count = new AtomicLong();
    private volatile Histogram histogram = new Histogram(60_000_000L, 3);
    private volatile boolean running = true;

    public LatencyReader(String bootstrap, String topic) {
        super("enriched-reader");
        setDaemon(true);
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A latency probe: the broker may park an empty fetch for at most this long.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic));
        while (running) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                long now = System.nanoTime();
                try {
                    long micros = (now - sentNanos(record.value())) / 1000;
                    synchronized (this) {
                        histogram.recordValue(Math.min(Math.max(0, micros), histogram.getHighestTrackableValue()));
                    }
                    count.incrementAndGet();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        consumer.close();
    }

    private static final byte[] SENT_NANOS = "\"sentNanos\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The body's {@code sentNanos}, found by scanning the bytes for the field (as Jackson writes it,
     * compactly) rather than parsing the record: the reader shares the measured machine, and a tree
     * per event made it one of the largest CPU users of a run. Falls back to parsing.
     */
    static long sentNanos(byte[] value) throws java.io.IOException {
        outer:
        for (int i = 0; i <= value.length - SENT_NANOS.length; i++) {
            for (int j = 0; j < SENT_NANOS.length; j++) {
                if (value[i + j] != SENT_NANOS[j]) {
                    continue outer;
                }
            }
            int at = i + SENT_NANOS.length;
            boolean negative = at < value.length && value[at] == '-';
            if (negative) {
                at++;
            }
            long nanos = 0;
            int digits = 0;
            while (at < value.length && value[at] >= '0' && value[at] <= '9') {
                nanos = nanos * 10 + (value[at++] - '0');
                digits++;
            }
            if (digits > 0 && digits < 19) {
                return negative ? -nanos : nanos;
            }
            break;
        }
        JsonNode body = JSON.readTree(value).path("body");
        return body.path("sentNanos").asLong();
    }

    public synchronized void reset() {
        histogram = new Histogram(60_000_000L, 3);
        count.set(0);
    }

    public synchronized Histogram latencies() {
        return histogram.copy();
    }

    public void awaitCount(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count.get() + " of " + n + " enriched events arrived");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        join(5000);
    }

    public long count() {
        return count.get();
    }
}
