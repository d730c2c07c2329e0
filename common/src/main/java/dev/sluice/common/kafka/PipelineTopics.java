package dev.sluice.common.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The topics a pipeline's producers write before any consumer runs: the input ({@code events.raw}) and the dead
 * letters ({@code events.dlq}). The consumers create their own output topics, {@code profiles init} creates
 * {@code profiles.updates}.
 *
 * <p>Idempotent, like {@code kafka-topics --create --if-not-exists}: an existing topic is kept as it is (its
 * partition count is reported, never changed: that would move keys between partitions), except that a dead-letter
 * topic whose records may be smaller than the tier-1 sources accept has its limit raised.
 */
public final class PipelineTopics {

    public static final String INPUT = "events.raw";
    public static final String DEAD_LETTERS = "events.dlq";

    /**
     * Partitions of a new topic. The default bucket count is a multiple of it (of every count up to 12), so the bucket
     * partitioner sends a key where Kafka's default partitioner would (dev.sluice.common.bucket.Buckets).
     */
    public static final int DEFAULT_PARTITIONS = 12;

    /**
     * The largest dead letter: any body a tier-1 source accepts (the HTTP handler caps a request at 16 MiB) with its
     * headers. The tier-1 dead-letter sink's {@code max.request.size} is the same: a record the broker refused would
     * roll the sink's batch back forever (docs/decisions.md).
     */
    public static final int DEAD_LETTER_MAX_MESSAGE_BYTES = 17 * 1024 * 1024;

    private static final long TIMEOUT_SECONDS = 60;

    public enum Outcome { CREATED, EXISTS, LIMIT_RAISED }

    /** What became of one topic, and its partition count now. */
    public record Result(String topic, Outcome outcome, int partitions) {
    }

    private PipelineTopics() {
    }

    /**
     * Creates the input and dead-letter topics that do not exist, with {@code partitions} partitions and the
     * replication factor given (empty: the broker's {@code default.replication.factor}).
     */
    public static List<Result> ensure(Admin admin, String input, String deadLetters, int partitions,
                                      Optional<Short> replicationFactor) throws IOException {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
        if (input.equals(deadLetters)) {
            throw new IllegalArgumentException("the input and dead-letter topics must differ, both are '" + input + "'");
        }
        Set<String> existing = call("list topics", () -> admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        List<NewTopic> missing = new ArrayList<>();
        if (!existing.contains(input)) {
            missing.add(new NewTopic(input, Optional.of(partitions), replicationFactor));
        }
        if (!existing.contains(deadLetters)) {
            missing.add(new NewTopic(deadLetters, Optional.of(partitions), replicationFactor).configs(Map.of(
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(DEAD_LETTER_MAX_MESSAGE_BYTES))));
        }
        Set<String> created = new HashSet<>();
        for (NewTopic topic : missing) {
            try {
                call("create topic " + topic.name(), () -> admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                created.add(topic.name());
            } catch (IOException e) {
                // Created by someone else meanwhile: it exists, which is all that was asked.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        boolean raised = !created.contains(deadLetters) && raiseDeadLetterLimit(admin, deadLetters);
        Map<String, TopicDescription> described = describe(admin, List.of(input, deadLetters));
        return List.of(
                new Result(input, created.contains(input) ? Outcome.CREATED : Outcome.EXISTS, described.get(input).partitions().size()),
                new Result(deadLetters, created.contains(deadLetters) ? Outcome.CREATED : raised ? Outcome.LIMIT_RAISED : Outcome.EXISTS,
                        described.get(deadLetters).partitions().size()));
    }

    /** A topic just created may not be in the broker's metadata yet: its description is asked for again, for up to 15 s. */
    private static Map<String, TopicDescription> describe(Admin admin, List<String> topics) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return call("describe topics " + String.join(", ", topics),
                        () -> admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (IOException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: describe topics " + String.join(", ", topics), e);
            }
        }
    }

    /** Raises an existing dead-letter topic's {@code max.message.bytes} to what the sources accept; true if it did. */
    private static boolean raiseDeadLetterLimit(Admin admin, String topic) throws IOException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry limit = call("describe the configuration of " + topic, () -> admin.describeConfigs(List.of(resource)).all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        if (limit != null && limit.value() != null && Long.parseLong(limit.value()) >= DEAD_LETTER_MAX_MESSAGE_BYTES) {
            return false;
        }
        AlterConfigOp set = new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                Integer.toString(DEAD_LETTER_MAX_MESSAGE_BYTES)), AlterConfigOp.OpType.SET);
        call("raise max.message.bytes of " + topic, () -> admin.incrementalAlterConfigs(Map.of(resource, List.of(set))).all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        return true;
    }

    private interface AdminCall<T> {
        T get() throws ExecutionException, InterruptedException, TimeoutException;
    }

    private static <T> T call(String what, AdminCall<T> call) throws IOException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            throw new IOException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + what, e);
        } catch (TimeoutException e) {
            throw new IOException("timed out: " + what + " (is Kafka up at the bootstrap servers given?)", e);
        }
    }
}
