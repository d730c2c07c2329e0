package dev.sluice.consumer;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MissingPermissionExceptionTest {

    private final ConsumerSettings settings = ConsumerSettings.from(Map.of("bootstrap.servers", "h:1", "hbase.zookeeper.quorum", "z",
            "kafka.common.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sluice\" password=\"${secrets:/s:p}\";"));

    @Test
    void theAclSetIsWhatTheConsumerUses() {
        assertThat(ConsumerAcls.required(settings)).extracting(ConsumerAcls.Right::toString).containsExactly(
                "READ on topic 'events.raw'", "READ on topic 'profiles.updates'", "WRITE on topic 'events.enriched'",
                "WRITE on topic 'alerts'", "WRITE on topic 'events.dlq'", "READ on topic 'sluice-enrich.windows-changelog'",
                "WRITE on topic 'sluice-enrich.windows-changelog'", "READ on group 'sluice-enrich'",
                "WRITE on transactional id prefix 'sluice-enrich-'");
        ConsumerSettings atLeastOnce = ConsumerSettings.from(Map.of("bootstrap.servers", "h:1", "hbase.zookeeper.quorum", "z",
                "processing.guarantee", "at_least_once"));
        assertThat(ConsumerAcls.required(atLeastOnce)).hasSize(8);
    }

    @Test
    void namesTheMissingRightFromTheFailureAndWhatTheConsumerWasDoing() {
        KafkaException wrapped = new KafkaException("batch failed", new TopicAuthorizationException("denied", Set.of("alerts")));
        assertThatThrownBy(() -> MissingPermissionException.rethrowIfUnauthorized(wrapped, settings))
                .hasMessageStartingWith("Kafka refused User:sluice: missing permission WRITE on topic 'alerts'")
                .hasMessageNotContaining("${secrets");

        TopicAuthorizationException changelog = new TopicAuthorizationException("denied", Set.of("sluice-enrich.windows-changelog"));
        assertThatThrownBy(() -> MissingPermissionException.rethrowIfUnauthorized(changelog, settings, AclOperation.WRITE))
                .hasMessageContaining("missing permission WRITE on topic 'sluice-enrich.windows-changelog' (");
        assertThatThrownBy(() -> MissingPermissionException.rethrowIfUnauthorized(new GroupAuthorizationException("g", "sluice-enrich"), settings))
                .hasMessageContaining("missing permission READ on group 'sluice-enrich'");
        assertThatThrownBy(() -> MissingPermissionException.rethrowIfUnauthorized(new TransactionalIdAuthorizationException("t"), settings))
                .hasMessageContaining("missing permission WRITE on transactional id prefix 'sluice-enrich-'");
    }

    @Test
    void anExplainedFailurePassesThroughUnchangedAndOtherFailuresAreNotItsBusiness() {
        MissingPermissionException explained = MissingPermissionException.of(
                new TopicAuthorizationException("denied", Set.of("sluice-enrich.windows-changelog")), settings, AclOperation.READ);
        assertThatThrownBy(() -> MissingPermissionException.rethrowIfUnauthorized(new RuntimeException(explained), settings))
                .isInstanceOf(MissingPermissionException.class);
        assertThatThrownBy(() -> MissingPermissionException.rethrowIfUnauthorized(explained, settings)).isSameAs(explained);
        assertThatCode(() -> MissingPermissionException.rethrowIfUnauthorized(new KafkaException("timeout"), settings)).doesNotThrowAnyException();
    }
}
