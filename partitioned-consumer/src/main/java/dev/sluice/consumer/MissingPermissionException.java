package dev.sluice.consumer;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Kafka refused the consumer's principal a right it needs. Fatal: retrying cannot help, and a
 * consumer that rewinds forever hides the cause. The message names the missing right as an ACL
 * (operation, resource type, name), from what the consumer was doing and {@link ConsumerAcls}.
 */
public final class MissingPermissionException extends RuntimeException {

    private MissingPermissionException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The authorization failure in {@code failure}'s cause chain, if any. */
    static Optional<AuthorizationException> find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException authorization) {
                return Optional.of(authorization);
            }
        }
        return Optional.empty();
    }

    /** Rethrows {@code failure} as a {@link MissingPermissionException} if it stems from one; returns otherwise. */
    static void rethrowIfUnauthorized(Throwable failure, ConsumerSettings settings) {
        rethrowIfUnauthorized(failure, settings, null);
    }

    /**
     * As {@link #rethrowIfUnauthorized(Throwable, ConsumerSettings)}, knowing what the consumer was
     * doing ({@code READ} while loading, {@code WRITE} while committing a batch), so a topic it both
     * reads and writes is reported with the one right that is missing.
     */
    static void rethrowIfUnauthorized(Throwable failure, ConsumerSettings settings, AclOperation doing) {
        if (failure instanceof MissingPermissionException explained) {
            throw explained; // already named where it happened
        }
        Optional<AuthorizationException> authorization = find(failure);
        if (authorization.isPresent()) {
            throw of(authorization.get(), settings, doing);
        }
    }

    static MissingPermissionException of(AuthorizationException e, ConsumerSettings settings, AclOperation doing) {
        List<ConsumerAcls.Right> all = ConsumerAcls.required(settings);
        List<ConsumerAcls.Right> matching = all.stream().filter(r -> doing == null || r.operation() == doing).toList();
        List<ConsumerAcls.Right> required = matching.isEmpty() ? all : matching;
        String missing;
        if (e instanceof TopicAuthorizationException topics) {
            missing = topics.unauthorizedTopics().stream().sorted().map(topic -> required.stream()
                            .filter(r -> r.resourceType() == org.apache.kafka.common.resource.ResourceType.TOPIC && r.name().equals(topic))
                            .map(ConsumerAcls.Right::toString).collect(Collectors.joining(" and ")))
                    .filter(s -> !s.isEmpty()).collect(Collectors.joining(", "));
            if (missing.isEmpty()) {
                missing = "a right on topic(s) " + topics.unauthorizedTopics();
            }
        } else if (e instanceof GroupAuthorizationException group) {
            missing = "READ on group '" + (group.groupId() == null ? settings.groupId() : group.groupId()) + "'";
        } else if (e instanceof TransactionalIdAuthorizationException) {
            missing = "WRITE on transactional id prefix '" + ConsumerAcls.transactionalIdPrefix(settings) + "'";
        } else if (e instanceof ClusterAuthorizationException) {
            missing = "a right on the cluster";
        } else {
            missing = "a right Kafka did not name";
        }
        return new MissingPermissionException("Kafka refused " + principal(settings) + ": missing permission " + missing
                + " (Kafka said: " + e.getMessage() + "); the consumer's ACLs are listed by 'sluice consumer acls'", e);
    }

    /** The SASL user of the settings, for the message; the password is never looked at. */
    private static String principal(ConsumerSettings settings) {
        String jaas = settings.kafkaCommon().getOrDefault("sasl.jaas.config", "");
        java.util.regex.Matcher user = java.util.regex.Pattern.compile("username=\"([^\"]+)\"").matcher(jaas);
        if (user.find()) {
            return "User:" + user.group(1);
        }
        java.util.regex.Matcher kerberos = java.util.regex.Pattern.compile("principal=\"([^\"]+)\"").matcher(jaas);
        return kerberos.find() ? "principal " + kerberos.group(1) : "this client";
    }
}
