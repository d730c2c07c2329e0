package dev.sluice.it;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The ends of a pipe under test: what goes into an agent's HTTP source, what comes out of a topic. */
final class Pipes {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Pipes() {
    }

    /**
     * Reads a topic from the beginning until {@code expected} records arrived (or 90 s passed), then
     * polls once more, so that extra records (duplicates) are caught too. Fails early if the agent dies.
     */
    static <K, V> List<ConsumerRecord<K, V>> consume(String bootstrap, String topic, int expected, FlumeAgent agent,
                                                     Deserializer<K> keys, Deserializer<V> values) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (records.size() < expected && System.nanoTime() < deadline) {
                assertThat(agent.isAlive()).as("agent alive; see %s", agent.log()).isTrue();
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
        }
        return records;
    }

    /** Everything a topic holds now, read from the beginning to its end offsets. */
    static <K, V> List<ConsumerRecord<K, V>> consumeAvailable(String bootstrap, String topic, Deserializer<K> keys, Deserializer<V> values) {
        return consumeAvailable(java.util.Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, keys, values);
    }

    /** As above, with client settings (bootstrap servers, security, isolation level). */
    static <K, V> List<ConsumerRecord<K, V>> consumeAvailable(java.util.Map<String, Object> client, String topic, Deserializer<K> keys,
                                                             Deserializer<V> values) {
        Properties config = new Properties();
        config.putAll(client);
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** POSTs a body to an agent's HTTP source, waiting (up to 60 s) for the source to listen; expects 200. */
    static void post(int port, byte[] body, FlumeAgent agent) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(agent.isAlive()).as("agent alive; see %s", agent.log()).isTrue();
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("HTTP source answer; see %s", agent.log()).isEqualTo(200);
                return;
            } catch (IOException notListeningYet) {
                if (System.nanoTime() > deadline) {
                    throw notListeningYet;
                }
                Thread.sleep(250);
            }
        }
    }

    /** A record header as text, or null. */
    static String header(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record, String name) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Waits (up to {@code timeout}) until every id is in some file under the HDFS directory (closed or
     * in progress; a killed writer's torn last line skipped), read through WebHDFS.
     */
    static void awaitEveryIdInHdfs(String hdfsHttpUrl, String directory, java.util.Set<String> expected, Duration timeout) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            dev.sluice.stack.WebHdfs hdfs = new dev.sluice.stack.WebHdfs(hdfsHttpUrl);
            java.util.Set<String> missing = new java.util.HashSet<>(expected);
            for (String file : hdfs.files(directory)) {
                List<String> lines;
                try {
                    lines = hdfs.completeLines(file);
                } catch (java.io.FileNotFoundException e) {
                    // An in-progress file (_….tmp) listed a moment ago may have been rolled (renamed) since:
                    // look again, the next listing has it under its final name.
                    throw new AssertionError("HDFS file changed while reading " + file + ": " + e.getMessage(), e);
                }
                for (String line : lines) {
                    missing.remove(json.readTree(line).path("id").asText());
                }
            }
            assertThat(missing).as("ids missing from HDFS under %s", directory).isEmpty();
        });
    }

    /**
     * Waits until each consumer group has committed up to the end of its topic. On a topic written
     * in transactions the last offset of a partition is a commit marker, which a consumer never
     * commits past: there, one short of the end counts as caught up.
     */
    static void awaitNoLag(String bootstrap, java.util.Map<String, String> topicByGroup, boolean transactional, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                    java.util.Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                for (var groupAndTopic : topicByGroup.entrySet()) {
                    String topic = groupAndTopic.getValue();
                    var partitions = kafka.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
                    java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
                    partitions.forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest()));
                    var ends = kafka.listOffsets(latest).all().get();
                    var committed = kafka.listConsumerGroupOffsets(groupAndTopic.getKey()).partitionsToOffsetAndMetadata().get();
                    for (var end : ends.entrySet()) {
                        var offset = committed.get(end.getKey());
                        long caughtUp = transactional ? end.getValue().offset() - 1 : end.getValue().offset();
                        assertThat(offset == null ? 0 : offset.offset()).as("%s at %s", groupAndTopic.getKey(), end.getKey())
                                .isGreaterThanOrEqualTo(caughtUp);
                    }
                }
            }
        });
    }
}
