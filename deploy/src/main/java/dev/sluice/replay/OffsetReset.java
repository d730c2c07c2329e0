package dev.sluice.replay;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Moves a consumer group's committed offsets on one topic, with the semantics of Kafka's own
 * {@code kafka-consumer-groups --reset-offsets}: to a time means the first offset whose record
 * timestamp is at or after it (the log end when there is none), to a duration means to the time
 * that long ago. A group with active members is refused: they would overwrite the new offsets with
 * their next commit.
 */
public final class OffsetReset {

    /** Where to move the offsets. */
    public sealed interface Target permits ToTime, ToEarliest, ToLatest, ToOffsets {
    }

    public record ToTime(Instant time) implements Target {
    }

    public record ToEarliest() implements Target {
    }

    public record ToLatest() implements Target {
    }

    public record ToOffsets(Map<Integer, Long> offsets) implements Target {
    }

    /**
     * One partition's move.
     *
     * @param current the committed offset, or null if the group has none on it
     * @param target the new offset
     * @param end the partition's log end offset
     */
    public record PartitionPlan(int partition, Long current, long target, long end) {

        /** Records the group will process again (from a committed offset) or newly (without one), after the move. */
        public long toProcess() {
            long from = target;
            long until = current == null ? end : current;
            return Math.max(0, until - from);
        }
    }

    /** Something the user asked for that cannot be done; nothing was changed. */
    public static final class ReplayException extends RuntimeException {
        public ReplayException(String message) {
            super(message);
        }
    }

    private static final long TIMEOUT_SECONDS = 30;
    /** How long a group without members may take to settle to Empty before a reset. */
    private static final int SETTLE_SECONDS = 30;
    private static final java.util.Set<GroupState> SETTLING = java.util.EnumSet.of(GroupState.PREPARING_REBALANCE,
            GroupState.COMPLETING_REBALANCE, GroupState.RECONCILING, GroupState.ASSIGNING);

    private OffsetReset() {
    }

    /** The moves a reset would make, without making them. */
    public static List<PartitionPlan> plan(Admin admin, String group, String topic, Target target, Clock clock)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        if (target instanceof ToTime time && time.time().isAfter(clock.instant())) {
            throw new ReplayException("time " + time.time() + " is in the future (now " + clock.instant() + ")");
        }
        List<TopicPartition> partitions = partitions(admin, topic);
        requireGroup(admin, group);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> targets;
        if (target instanceof ToEarliest) {
            targets = offsets(admin, partitions, OffsetSpec.earliest());
        } else if (target instanceof ToLatest) {
            targets = ends;
        } else if (target instanceof ToTime t) {
            Map<TopicPartition, Long> atTime = offsets(admin, partitions, OffsetSpec.forTimestamp(t.time().toEpochMilli()));
            targets = new HashMap<>();
            // No record at or after the time: Kafka's tool moves to the log end, and so does this.
            for (Map.Entry<TopicPartition, Long> e : atTime.entrySet()) {
                targets.put(e.getKey(), e.getValue() < 0 ? ends.get(e.getKey()) : e.getValue());
            }
        } else {
            Map<TopicPartition, Long> earliest = offsets(admin, partitions, OffsetSpec.earliest());
            targets = new HashMap<>();
            for (Map.Entry<Integer, Long> e : ((ToOffsets) target).offsets().entrySet()) {
                TopicPartition tp = new TopicPartition(topic, e.getKey());
                long offset = e.getValue();
                if (!ends.containsKey(tp)) {
                    throw new ReplayException("topic " + topic + " has no partition " + e.getKey() + " (it has " + partitions.size() + ")");
                }
                if (offset < earliest.get(tp) || offset > ends.get(tp)) {
                    throw new ReplayException("offset " + offset + " of partition " + e.getKey() + " is outside [" + earliest.get(tp)
                            + ", " + ends.get(tp) + "]");
                }
                targets.put(tp, offset);
            }
        }
        List<PartitionPlan> plan = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (!targets.containsKey(tp)) {
                continue;
            }
            OffsetAndMetadata current = committed.get(tp);
            plan.add(new PartitionPlan(tp.partition(), current == null ? null : current.offset(), targets.get(tp), ends.get(tp)));
        }
        return plan;
    }

    /** Applies a plan. Refuses while the group has members. */
    public static void apply(Admin admin, String group, String topic, List<PartitionPlan> plan)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        // A group whose last members have just left goes on rebalancing (with none) for a moment, and the broker
        // refuses a reset until it is Empty. That is not the user's doing: wait for it rather than fail.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        ConsumerGroupDescription description = describe(admin, group);
        while (description.members().isEmpty() && SETTLING.contains(description.groupState()) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            description = describe(admin, group);
        }
        if (!description.members().isEmpty()) {
            throw new ReplayException("group " + group + " has " + description.members().size() + " active member(s): stop them first"
                    + " (they would commit over the reset), or pass --wait-for-members SECONDS");
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        plan.forEach(p -> offsets.put(new TopicPartition(topic, p.partition()), new OffsetAndMetadata(p.target())));
        admin.alterConsumerGroupOffsets(group, offsets).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Active members of the group (0 for an empty group). */
    public static int members(Admin admin, String group) throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        return describe(admin, group).members().size();
    }

    private static void requireGroup(Admin admin, String group) throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        describe(admin, group);
    }

    private static ConsumerGroupDescription describe(Admin admin, String group)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (description.groupState() == GroupState.DEAD) {
                throw new ReplayException("consumer group " + group + " does not exist");
            }
            return description;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                throw new ReplayException("consumer group " + group + " does not exist");
            }
            throw e;
        }
    }

    static List<TopicPartition> partitions(Admin admin, String topic)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).topicNameValues().get(topic).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new ReplayException("topic " + topic + " does not exist");
            }
            throw e;
        }
    }

    static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }
}
