package dev.sluice.consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka ACLs one consumer group needs, and no more: what {@code sluice consumer acls} prints
 * or grants and what docs/security.md lists. Topics must exist beforehand (the consumer creates
 * missing ones only when it may).
 *
 * <ul>
 *   <li>READ on the input topic and on the profile update topic;</li>
 *   <li>WRITE on the enriched, alert and dead-letter topics;</li>
 *   <li>READ and WRITE on the group's window changelog (checkpoints written, restored on assignment);</li>
 *   <li>READ on the consumer group (joining it, committing offsets, also inside transactions);</li>
 *   <li>WRITE on the transactional ids with the group's prefix ({@code <group>-<instance>} and {@code <group>-<instance>#1}), for exactly-once.</li>
 * </ul>
 * READ and WRITE imply DESCRIBE, which the consumer uses to count partitions.
 */
public final class ConsumerAcls {

    private ConsumerAcls() {
    }

    /** One required right, described the way an operator grants it. */
    public record Right(AclOperation operation, ResourceType resourceType, String name, PatternType patternType) {

        public AclBinding binding(String principal) {
            return new AclBinding(new ResourcePattern(resourceType, name, patternType),
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
        }

        @Override
        public String toString() {
            return operation + " on " + resourceType.name().toLowerCase(java.util.Locale.ROOT).replace("transactional_id", "transactional id")
                    + (patternType == PatternType.PREFIXED ? " prefix" : "") + " '" + name + "'";
        }
    }

    /** The rights the consumer of {@code settings} uses. */
    public static List<Right> required(ConsumerSettings settings) {
        ConsumerSettings.Topics topics = settings.topics();
        List<Right> rights = new ArrayList<>();
        rights.add(topic(AclOperation.READ, topics.input()));
        rights.add(topic(AclOperation.READ, topics.updates()));
        rights.add(topic(AclOperation.WRITE, topics.enriched()));
        rights.add(topic(AclOperation.WRITE, topics.alerts()));
        rights.add(topic(AclOperation.WRITE, topics.dlq()));
        rights.add(topic(AclOperation.READ, topics.changelog()));
        rights.add(topic(AclOperation.WRITE, topics.changelog()));
        rights.add(new Right(AclOperation.READ, ResourceType.GROUP, settings.groupId(), PatternType.LITERAL));
        if (settings.guarantee() == ConsumerSettings.Guarantee.EXACTLY_ONCE) {
            rights.add(new Right(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalIdPrefix(settings), PatternType.PREFIXED));
        }
        return rights;
    }

    /**
     * ACLs reach the brokers' authorizers through the metadata log, a moment after they are created:
     * returns once the cluster describes every one of {@code bindings}, so a client started next is
     * not refused.
     *
     * @throws IllegalStateException if they do not all show within {@code timeout}
     */
    public static void awaitEnforced(Admin admin, Collection<AclBinding> bindings, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!admin.describeAcls(AclBindingFilter.ANY).values().get(timeout.toMillis(), TimeUnit.MILLISECONDS).containsAll(bindings)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka did not show the granted ACLs within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(200);
        }
    }

    /** Every instance's transactional id starts with this. */
    static String transactionalIdPrefix(ConsumerSettings settings) {
        return settings.groupId() + "-";
    }

    private static Right topic(AclOperation operation, String topic) {
        return new Right(operation, ResourceType.TOPIC, topic, PatternType.LITERAL);
    }
}
