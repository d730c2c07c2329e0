package dev.sluice.it;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BucketPartitioner} inside a real Flume 1.11 agent (kafka-clients 2.7.2), set through
 * {@code kafka.producer.partitioner.class} on the Kafka channel, writing to a real Kafka 4.3 broker.
 */
class BucketPartitionerInFlumeIT {

    private static final int PARTITIONS = 6;
    private static final int EVENTS = 600;

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startKafka() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "flume-partitioner-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.KAFKA).stopOnExit(true).build();
        endpoints = stack.start();
    }

    @AfterAll
    static void stopKafka() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void flumeKafkaChannelRoutesEveryEventToItsBucketPartition() throws Exception {
        String topic = "flume-partitioner";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Path input = Files.write(workDir.resolve("events.csv"), IntStream.range(0, EVENTS)
                .mapToObj(i -> "card-" + (i * 7919 % 10_007) + ",amount=" + i).toList(), StandardCharsets.UTF_8);
        // The exec source reads lines; regex_extractor sets the 'key' header, which the Kafka channel
        // (parseAsFlumeEvent=false) uses as the record key; the partitioner routes by it.
        String config = String.join("\n",
                "agent.sources = lines",
                "agent.channels = kafka",
                "agent.sources.lines.type = exec",
                "agent.sources.lines.command = cat " + input,
                "agent.sources.lines.batchSize = 100",
                "agent.sources.lines.channels = kafka",
                "agent.sources.lines.interceptors = key",
                "agent.sources.lines.interceptors.key.type = regex_extractor",
                "agent.sources.lines.interceptors.key.regex = ^([^,]+),",
                "agent.sources.lines.interceptors.key.serializers = k",
                "agent.sources.lines.interceptors.key.serializers.k.name = key",
                "agent.channels.kafka.type = org.apache.flume.channel.kafka.KafkaChannel",
                "agent.channels.kafka.kafka.bootstrap.servers = " + endpoints.kafkaBootstrapServers(),
                "agent.channels.kafka.kafka.topic = " + topic,
                "agent.channels.kafka.parseAsFlumeEvent = false",
                "agent.channels.kafka.kafka.producer.partitioner.class = " + BucketPartitioner.class.getName(),
                "agent.channels.kafka.kafka.producer." + BucketPartitioner.BUCKETS_CONFIG + " = " + Buckets.DEFAULT_BUCKET_COUNT,
                "agent.channels.kafka.kafka.producer.client.id = flume-it",
                "");

        List<ConsumerRecord<String, String>> records;
        try (FlumeAgent agent = FlumeAgent.start(workDir.resolve("agent"), "agent", config, List.of(FlumeAgent.pluginJar()))) {
            records = Pipes.consume(endpoints.kafkaBootstrapServers(), topic, EVENTS, agent, new StringDeserializer(), new StringDeserializer());
            assertThat(agent.counter("CHANNEL.kafka", "EventPutSuccessCount")).isEqualTo(EVENTS);
            assertThat(Files.readString(agent.log())).contains("BucketPartitioner configured: sluice.buckets=27720")
                    .contains("Kafka version: 2.7.2");
        }

        Buckets buckets = Buckets.defaults();
        assertThat(records).hasSize(EVENTS);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.key()).as("record key from the key header").startsWith("card-");
            assertThat(r.value()).startsWith(r.key() + ",");
            assertThat(r.partition()).as("partition of %s", r.key())
                    .isEqualTo(buckets.partitionOfKey(r.key().getBytes(StandardCharsets.UTF_8), PARTITIONS));
        });
        assertThat(records.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()))
                .as("keys spread over every partition").hasSize(PARTITIONS);
    }

}
