package dev.sluice.common.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SocketBuffersTest {

    @Test
    void clientsGetKernelTunedBuffersUnlessTheirSettingsSayOtherwise() {
        Map<String, Object> plain = SocketBuffers.autoTuned(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092"));
        assertThat(plain)
                .containsEntry(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1)
                .containsEntry(ConsumerConfig.SEND_BUFFER_CONFIG, -1)
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");

        Map<String, Object> tuned = SocketBuffers.autoTuned(Map.of(ProducerConfig.SEND_BUFFER_CONFIG, 1 << 20));
        assertThat(tuned)
                .containsEntry(ProducerConfig.SEND_BUFFER_CONFIG, 1 << 20)
                .containsEntry(ProducerConfig.RECEIVE_BUFFER_CONFIG, -1);
    }

    @Test
    void theKeysAreTheOnesKafkaClientsKnow() {
        // A misspelt key would only be logged as unknown by the clients and change nothing.
        assertThat(SocketBuffers.AUTO_TUNED.keySet()).containsExactlyInAnyOrder(ConsumerConfig.RECEIVE_BUFFER_CONFIG,
                ConsumerConfig.SEND_BUFFER_CONFIG);
        assertThat(ProducerConfig.configNames()).containsAll(SocketBuffers.AUTO_TUNED.keySet());
        assertThat(ConsumerConfig.configNames()).containsAll(SocketBuffers.AUTO_TUNED.keySet());
    }
}
