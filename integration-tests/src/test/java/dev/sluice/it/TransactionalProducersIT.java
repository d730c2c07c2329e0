package dev.sluice.it;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.consumer.TransactionalProducers;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the partitioned consumer's exactly-once recovery relies on, on a real broker: a transaction
 * the coordinator timed out leaves its producer in an error state that no abort leaves, and a
 * producer started afresh by {@link TransactionalProducers} with the same id goes on, its records
 * alone visible to read_committed readers; while Kafka is down, the start waits for it.
 */
class TransactionalProducersIT {

    /** The partitioned consumer's own transaction timeout. */
    private static final int TRANSACTION_TIMEOUT_MS = 10_000;

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startKafka() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "transactional-producers-it-");
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
    void aProducerStartedAfreshGoesOnWhereATimedOutTransactionLeftItsPredecessorStuck() throws Exception {
        String topic = createTopic("timed-out");
        String id = "it-timed-out";
        KafkaProducer<String, String> stuck = TransactionalProducers.start(() -> producer(id, 60_000), () -> false);
        stuck.beginTransaction();
        stuck.send(new ProducerRecord<>(topic, "k", "of the timed-out transaction")).get(30, TimeUnit.SECONDS);
        try (Admin admin = admin()) {
            // The coordinator aborts it once transaction.timeout.ms has passed (it checks every 10 s).
            await("the coordinator timing the transaction out").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> transaction(admin, id).state(), state -> state != TransactionState.ONGOING);
        }
        assertThatThrownBy(stuck::commitTransaction).as("committing a transaction the coordinator aborted")
                .isInstanceOf(InvalidTxnStateException.class);
        assertThatThrownBy(stuck::abortTransaction).as("aborting after that: the producer is in an error state")
                .isInstanceOf(KafkaException.class).hasMessageContaining("error state");

        stuck.close(Duration.ZERO);
        try (KafkaProducer<String, String> fresh = TransactionalProducers.start(() -> producer(id, 60_000), () -> false)) {
            commitOne(fresh, topic, "committed after the fresh start");
        }
        assertThat(readCommitted(topic, 1)).containsExactly("committed after the fresh start");
    }

    @Test
    void startingWhileKafkaIsDownWaitsForIt() throws Exception {
        String topic = createTopic("while-down");
        String id = "it-while-down";
        stack.stop(Service.KAFKA);
        AtomicInteger timeouts = new AtomicInteger();
        CompletableFuture<KafkaProducer<String, String>> starting;
        try {
            // max.block.ms 2 s: each initTransactions times out quickly while the broker is away, and is called again.
            starting = CompletableFuture.supplyAsync(() -> TransactionalProducers.start(() -> producer(id, 2_000), () -> {
                timeouts.incrementAndGet();
                return true;
            }));
            await("initTransactions timing out while Kafka is down").atMost(Duration.ofSeconds(60)).until(() -> timeouts.get() >= 2);
            assertThat(starting).as("not started while Kafka is down").isNotDone();
        } finally {
            stack.start(Service.KAFKA);
        }
        try (KafkaProducer<String, String> producer = starting.get(120, TimeUnit.SECONDS)) {
            commitOne(producer, topic, "after the broker came back");
        }
        assertThat(readCommitted(topic, 1)).containsExactly("after the broker came back");
    }

    @Test
    void startGivesUpOnATimeoutWhenToldToStop() throws IOException {
        // Nothing listens on this port: initTransactions times out, and keepTrying says stop.
        String nowhere = "127.0.0.1:" + LoopbackPorts.free();
        assertThatThrownBy(() -> TransactionalProducers.start(() -> producer("it-no-broker", 1_000, nowhere), () -> false))
                .isInstanceOf(TimeoutException.class);
    }

    private static KafkaProducer<String, String> producer(String transactionalId, int maxBlockMs) {
        return producer(transactionalId, maxBlockMs, endpoints.kafkaBootstrapServers());
    }

    private static KafkaProducer<String, String> producer(String transactionalId, int maxBlockMs, String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs), new StringSerializer(), new StringSerializer());
    }

    private static void commitOne(KafkaProducer<String, String> producer, String topic, String value) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, "k", value));
        producer.commitTransaction();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()));
    }

    private static String createTopic(String name) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    private static TransactionDescription transaction(Admin admin, String transactionalId) throws Exception {
        return admin.describeTransactions(List.of(transactionalId)).description(transactionalId).get(30, TimeUnit.SECONDS);
    }

    /** The topic's values as a read_committed reader sees them, once its last stable offset is past {@code atLeast} records. */
    private static List<String> readCommitted(String topic, int atLeast) {
        try (KafkaConsumer<String, String> reader = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : reader.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return values.size() >= atLeast && reader.position(partition) >= reader.endOffsets(List.of(partition)).get(partition);
            });
            return values;
        }
    }
}
