package dev.sluice.common.kafka;

import org.apache.kafka.clients.CommonClientConfigs;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka client settings that leave TCP socket buffers to the kernel's auto-tuning.
 *
 * <p>Kafka's clients fix their buffers by default (consumer receive 64 KB, producer receive 32 KB,
 * send 128 KB), and the broker its own (100 KB). A fixed {@code SO_RCVBUF} turns auto-tuning off. On a
 * link with a large MTU (loopback: 64 KB, so every co-located client) a burst of fetched or produced data
 * fills such a buffer by the kernel's accounting before the advertised window closes: the kernel prunes
 * the receive queue, drops segments, and the sender waits for a retransmission timeout (200 ms at least).
 * The enrichment benchmark's stalls of 200–250 ms, in every variant, were exactly that
 * ({@code nstat}: {@code TcpExtRcvPruned}, {@code TcpRetransSegs}). {@code -1} ("use the OS default")
 * is what Kafka's own docs offer for it; a user's {@code kafka.*} setting still wins.
 */
public final class SocketBuffers {

    /** {@code receive.buffer.bytes} and {@code send.buffer.bytes} of -1, for consumers, producers and admin clients alike. */
    public static final Map<String, Object> AUTO_TUNED = Map.of(CommonClientConfigs.RECEIVE_BUFFER_CONFIG, -1,
            CommonClientConfigs.SEND_BUFFER_CONFIG, -1);

    /** A mutable copy of {@code config} with {@link #AUTO_TUNED} beneath it: a buffer size {@code config} sets wins. */
    public static Map<String, Object> autoTuned(Map<String, ?> config) {
        Map<String, Object> merged = new HashMap<>(AUTO_TUNED);
        merged.putAll(config);
        return merged;
    }

    private SocketBuffers() {
    }
}
