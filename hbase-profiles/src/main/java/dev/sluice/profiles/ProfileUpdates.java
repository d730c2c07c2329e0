package dev.sluice.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The profile update stream: the compacted {@value #DEFAULT_TOPIC} topic, keyed by entity key and
 * routed by {@link BucketPartitioner}, so the consumer that owns a key's partition receives its
 * updates, in order. The value is the whole profile as JSON ({@code {"key":…,"attributes":{…}}});
 * a delete is a tombstone (null value), which compaction eventually removes.
 *
 * <p>The producer is idempotent with {@code acks=all}. Thread-safe, like the producer.
 */
public final class ProfileUpdates implements AutoCloseable {

    public static final String DEFAULT_TOPIC = "profiles.updates";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Producer<String, byte[]> producer;
    private final String topic;

    public ProfileUpdates(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A publisher with its own producer, routing by {@code buckets}. */
    public static ProfileUpdates create(String bootstrapServers, String topic, Buckets buckets, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(SocketBuffers.AUTO_TUNED);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName());
        config.put(BucketPartitioner.BUCKETS_CONFIG, buckets.bucketCount());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-profile-updates");
        config.putAll(overrides);
        return new ProfileUpdates(new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()), topic);
    }

    /** Creates the compacted topic if it does not exist (looked up first: creating needs rights that reading does not). */
    public static void ensureTopic(Admin admin, String topic, int partitions) throws IOException {
        try {
            if (admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic)) {
                return;
            }
        } catch (ExecutionException e) {
            throw new IOException("cannot list topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("timed out listing topics", e);
        }
        // The broker's default replication factor: a cluster's, not the local stack's 1.
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"));
        try {
            admin.createTopics(List.of(newTopic)).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IOException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating topic " + topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("timed out creating topic " + topic, e);
        }
    }

    public String topic() {
        return topic;
    }

    /** Publishes the profile's current state; the future completes once Kafka has it. */
    public Future<RecordMetadata> publish(Profile profile, ProfileSchema schema) {
        return producer.send(new ProducerRecord<>(topic, profile.key(), encode(profile, schema)));
    }

    /** Publishes without waiting; {@code onFailure} gets the exception if Kafka does not take it. */
    public void publish(Profile profile, ProfileSchema schema, Consumer<Exception> onFailure) {
        producer.send(new ProducerRecord<>(topic, profile.key(), encode(profile, schema)), (metadata, e) -> {
            if (e != null) {
                onFailure.accept(e);
            }
        });
    }

    /** Publishes a tombstone: the profile was deleted. */
    public Future<RecordMetadata> publishDelete(String key) {
        return producer.send(new ProducerRecord<>(topic, key, null));
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    public static byte[] encode(Profile profile, ProfileSchema schema) {
        ObjectNode root = JSON.createObjectNode();
        root.put("key", profile.key());
        root.set("attributes", attributes(profile, schema));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The profile's attributes as the JSON object an update record carries (typed per the schema), in
     * schema order: readers that copy attributes straight from these bytes then write a stable order.
     */
    public static ObjectNode attributes(Profile profile, ProfileSchema schema) {
        profile.attributes().keySet().forEach(name -> schema.attribute(name).orElseThrow()); // none outside the schema
        ObjectNode attributes = JSON.createObjectNode();
        schema.attributes().forEach((name, attribute) -> {
            if (profile.attributes().containsKey(name)) {
                attributes.set(name, attribute.type().toJson(profile.attributes().get(name)));
            }
        });
        return attributes;
    }

    /**
     * Decodes an update record: the profile, or empty for a tombstone.
     *
     * @throws IllegalArgumentException if the value is not a profile of this schema
     */
    public static Optional<Profile> decode(String key, byte[] value, ProfileSchema schema) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(value);
            Map<String, Object> attributes = new LinkedHashMap<>();
            root.path("attributes").fields().forEachRemaining(f -> schema.attribute(f.getKey())
                    .ifPresent(a -> attributes.put(f.getKey(), a.type().fromJson(f.getValue()))));
            return Optional.of(new Profile(key, attributes));
        } catch (IOException e) {
            throw new IllegalArgumentException("profile update for '" + key + "' is not valid JSON: " + e.getMessage(), e);
        }
    }
}
