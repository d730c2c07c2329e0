package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.kafka.SocketBuffers;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A read_committed reader of an output topic. It records two latencies:
 * <ul>
 *   <li><b>send → visible</b>: each event's body carries {@code sentNanos}, the producer's
 *   {@code System.nanoTime()} (same machine, same clock), compared with when this reader gets it.
 *   It includes the load generator's linger and this reader's own fetch.</li>
 *   <li><b>append → append</b>, the issues' definition of end-to-end latency: the event's append
 *   to the input topic to its append to the output topic, both broker clocks ({@code LogAppendTime}
 *   topics, millisecond resolution). Events of a level carry {@code seq}; the generator reports the
 *   input append time of each from its send callback ({@link #inputAppended}), this reader takes the
 *   output append time from the record. Under exactly-once the output append happens inside the
 *   transaction, before read_committed readers can see it.</li>
 * </ul>
 */
public final class LatencyReader extends Thread implements AutoCloseable {

    /** Topic configuration for append → append latency: the broker stamps each record with its append time. */
    public static final Map<String, String> LOG_APPEND_TIME = Map.of("message.timestamp.type", "LogAppendTime");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final AtomicLong count = new AtomicLong();
    private volatile Histogram histogram = new Histogram(60_000_000L, 3);
    // Append times (epoch ms) by seq for the armed level; 0 = not seen yet.
    private volatile long[] inputAppends = new long[0];
    private volatile long[] outputAppends = new long[0];
    private volatile boolean running = true;

    public LatencyReader(String bootstrap, String topic) {
        super("enriched-reader");
        setDaemon(true);
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(SocketBuffers.autoTuned(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A latency probe: the broker may park an empty fetch for at most this long.
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50)), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void run() {
        consumer.subscribe(List.of(topic));
        while (running) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                long now = System.nanoTime();
                try {
                    long micros = (now - sentNanos(record.value())) / 1000;
                    long seq = seq(record.value());
                    long[] outputs = outputAppends;
                    if (seq >= 0 && seq < outputs.length && outputs[(int) seq] == 0) {
                        if (record.timestampType() != org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME) {
                            throw new IllegalStateException(topic + " must have message.timestamp.type=LogAppendTime");
                        }
                        outputs[(int) seq] = record.timestamp();
                    }
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
    private static final byte[] SEQ = "\"seq\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The seq of a level's event ({@code "seq":N} in its body), or -1 for an untagged event. */
    static long seq(byte[] value) {
        long seq = integerField(value, SEQ);
        return seq == Long.MIN_VALUE ? -1 : Math.max(-1, seq);
    }

    /**
     * The body's {@code sentNanos}, found by scanning the bytes for the field (as Jackson writes it,
     * compactly) rather than parsing the record: the reader shares the measured machine, and a tree
     * per event made it one of the largest CPU users of a run. Falls back to parsing.
     */
    static long sentNanos(byte[] value) throws java.io.IOException {
        long nanos = integerField(value, SENT_NANOS);
        if (nanos != Long.MIN_VALUE) {
            return nanos;
        }
        JsonNode body = JSON.readTree(value).path("body");
        return body.path("sentNanos").asLong();
    }

    /**
     * The integer after the first {@code field} ({@code "name":}) in the bytes, or {@link Long#MIN_VALUE}
     * when the field is not written compactly or its value is not an integer of at most 18 digits.
     */
    private static long integerField(byte[] value, byte[] field) {
        outer:
        for (int i = 0; i <= value.length - field.length; i++) {
            for (int j = 0; j < field.length; j++) {
                if (value[i + j] != field[j]) {
                    continue outer;
                }
            }
            int at = i + field.length;
            boolean negative = at < value.length && value[at] == '-';
            if (negative) {
                at++;
            }
            long result = 0;
            int digits = 0;
            while (at < value.length && value[at] >= '0' && value[at] <= '9') {
                result = result * 10 + (value[at++] - '0');
                digits++;
            }
            return digits > 0 && digits < 19 ? (negative ? -result : result) : Long.MIN_VALUE;
        }
        return Long.MIN_VALUE;
    }

    public synchronized void reset() {
        histogram = new Histogram(60_000_000L, 3);
        count.set(0);
        outputAppends = new long[0];
        inputAppends = new long[0];
    }

    /**
     * Resets, and measures append → append for the events tagged {@code seq} 0 up to about
     * {@code expectedEvents} (with room for a producer running a little ahead of its schedule).
     */
    public synchronized void reset(long expectedEvents) {
        reset();
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, expectedEvents + 1000);
        inputAppends = new long[capacity];
        outputAppends = new long[capacity];
    }

    /**
     * The send callback of event {@code seq}: records its input append time, the record metadata's
     * timestamp (the broker's, on a {@link #LOG_APPEND_TIME} topic).
     */
    public Callback inputAppended(int seq) {
        return (metadata, error) -> {
            long[] inputs = inputAppends;
            if (error == null && seq >= 0 && seq < inputs.length) {
                inputs[seq] = metadata.timestamp();
            }
        };
    }

    /**
     * Append → append latencies of the armed level in µs (whole milliseconds: both clocks are), for the
     * events whose both appends are known. Call after the producer's flush and {@link #awaitCount}.
     */
    public synchronized Histogram appendLatencies() {
        Histogram appends = new Histogram(60_000_000L, 3);
        long[] inputs = inputAppends;
        long[] outputs = outputAppends;
        for (int seq = 0; seq < inputs.length; seq++) {
            if (inputs[seq] > 0 && outputs[seq] > 0) {
                appends.recordValue(Math.min(Math.max(0, outputs[seq] - inputs[seq]) * 1000, appends.getHighestTrackableValue()));
            }
        }
        return appends;
    }

    /**
     * Writes the armed level's append → append latencies as a timeline: one CSV row per {@code binMillis} of input
     * append time (epoch ms of the bin, events, max and mean latency in ms). A stall shows as a run of bins whose
     * max climbs by one bin width per bin; its start is a wall-clock time to look up in the GC logs and CPU samples.
     */
    public synchronized void writeTimeline(java.nio.file.Path file, int binMillis) throws java.io.IOException {
        long[] inputs = inputAppends;
        long[] outputs = outputAppends;
        java.util.TreeMap<Long, long[]> bins = new java.util.TreeMap<>(); // bin -> {events, max, sum}
        for (int seq = 0; seq < inputs.length; seq++) {
            if (inputs[seq] > 0 && outputs[seq] > 0) {
                long latency = Math.max(0, outputs[seq] - inputs[seq]);
                long[] bin = bins.computeIfAbsent(inputs[seq] / binMillis * binMillis, k -> new long[3]);
                bin[0]++;
                bin[1] = Math.max(bin[1], latency);
                bin[2] += latency;
            }
        }
        StringBuilder csv = new StringBuilder("input_append_ms,events,max_ms,mean_ms\n");
        bins.forEach((start, bin) -> csv.append(start).append(',').append(bin[0]).append(',').append(bin[1]).append(',')
                .append(String.format(java.util.Locale.ROOT, "%.1f", bin[2] / (double) bin[0])).append('\n'));
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        java.nio.file.Files.writeString(file, csv);
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
