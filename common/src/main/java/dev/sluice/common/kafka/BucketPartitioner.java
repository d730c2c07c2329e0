package dev.sluice.common.kafka;

import dev.sluice.common.bucket.Buckets;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Kafka {@link Partitioner} that sends every record to {@code bucket(key) mod partitions} (see
 * {@link Buckets}), so a partition's records are exactly the entities whose HBase profile rows the
 * consumer of that partition loads.
 *
 * <p>Runs with kafka-clients 2.7 (inside Flume 1.11) and 4.x: it uses only APIs both have.
 *
 * <p>Sample Flume Kafka channel configuration:
 * <pre>
 * agent.channels.kafka.type = org.apache.flume.channel.kafka.KafkaChannel
 * agent.channels.kafka.kafka.topic = events.raw
 * agent.channels.kafka.parseAsFlumeEvent = false
 * agent.channels.kafka.kafka.producer.partitioner.class = dev.sluice.common.kafka.BucketPartitioner
 * agent.channels.kafka.kafka.producer.sluice.buckets = 27720
 * </pre>
 *
 * <p>Configuration keys (producer properties):
 * <ul>
 *   <li>{@value #BUCKETS_CONFIG}: {@value #BUCKETS_DOC} Default {@value Buckets#DEFAULT_BUCKET_COUNT}.</li>
 *   <li>{@value #KEYLESS_POLICY_CONFIG}: {@value #KEYLESS_POLICY_DOC} Default {@code fail}.</li>
 * </ul>
 *
 * <p>Counters are exported over JMX as {@code dev.sluice:type=bucket-partitioner,client-id=<client.id>}.
 */
public class BucketPartitioner implements Partitioner {

    public static final String BUCKETS_CONFIG = "sluice.buckets";
    public static final String BUCKETS_DOC = "Number of buckets B, fixed for the life of a deployment;"
            + " it must match the B that the HBase row keys were written with.";

    public static final String KEYLESS_POLICY_CONFIG = "sluice.partitioner.keyless";
    public static final String KEYLESS_POLICY_DOC = "What to do with a record without a key: 'fail' the"
            + " send, or send it to the 'first-partition'.";

    private static final Logger LOG = LoggerFactory.getLogger(BucketPartitioner.class);
    private static final String JMX_DOMAIN = "dev.sluice";

    private final LongAdder routed = new LongAdder();
    private final LongAdder keyless = new LongAdder();
    private final Set<String> topicsWarnedUnaligned = ConcurrentHashMap.newKeySet();

    private Buckets buckets = Buckets.defaults();
    private KeylessPolicy keylessPolicy = KeylessPolicy.FAIL;
    private ObjectName mbeanName;

    @Override
    public void configure(Map<String, ?> configs) {
        Object bucketsValue = configs.get(BUCKETS_CONFIG);
        if (bucketsValue != null) {
            try {
                buckets = Buckets.of(Integer.parseInt(bucketsValue.toString().trim()));
            } catch (IllegalArgumentException e) { // NumberFormatException is one
                throw new ConfigException(BUCKETS_CONFIG, bucketsValue, e.getMessage());
            }
        }
        Object policyValue = configs.get(KEYLESS_POLICY_CONFIG);
        if (policyValue != null) {
            try {
                keylessPolicy = KeylessPolicy.fromConfig(policyValue.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(KEYLESS_POLICY_CONFIG, policyValue, e.getMessage());
            }
        }
        Object clientId = configs.get("client.id");
        registerMetrics(clientId == null ? "" : clientId.toString());
        LOG.info("BucketPartitioner configured: {}={}, {}={}", BUCKETS_CONFIG, buckets.bucketCount(),
                KEYLESS_POLICY_CONFIG, keylessPolicy.configValue());
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        if (keyBytes == null) {
            return partitionKeyless(topic);
        }
        int partitionCount = cluster.partitionsForTopic(topic).size();
        if (!buckets.isAlignedWith(partitionCount) && topicsWarnedUnaligned.add(topic)) {
            LOG.warn("Topic '{}' has {} partitions, which does not divide {}={}: records are routed"
                            + " correctly by Sluice, but producers without BucketPartitioner will pick other partitions",
                    topic, partitionCount, BUCKETS_CONFIG, buckets.bucketCount());
        }
        routed.increment();
        return buckets.partitionOfKey(keyBytes, partitionCount);
    }

    private int partitionKeyless(String topic) {
        keyless.increment();
        long count = keyless.sum();
        // Log the first one and then sparsely: a flood of keyless records must not flood the log.
        if (count == 1 || Long.bitCount(count) == 1) {
            LOG.warn("{} keyless record(s) so far (latest for topic '{}'); policy {}={}",
                    count, topic, KEYLESS_POLICY_CONFIG, keylessPolicy.configValue());
        }
        if (keylessPolicy == KeylessPolicy.FIRST_PARTITION) {
            return 0;
        }
        throw new KeylessRecordException(topic);
    }

    public long recordsRoutedTotal() {
        return routed.sum();
    }

    public long keylessRecordsTotal() {
        return keyless.sum();
    }

    public Buckets buckets() {
        return buckets;
    }

    @Override
    public void close() {
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (JMException e) {
                LOG.debug("Could not unregister {}", mbeanName, e);
            }
            mbeanName = null;
        }
    }

    private void registerMetrics(String clientId) {
        close();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = new ObjectName(JMX_DOMAIN + ":type=bucket-partitioner,client-id="
                    + ObjectName.quote(clientId));
            if (server.isRegistered(name)) {
                // Two producers with one client.id: keep the first's MBean, as Kafka does for its own metrics.
                LOG.warn("JMX name {} is already registered; this partitioner's counters are not exported", name);
                return;
            }
            server.registerMBean(new StandardMBean(new Metrics(), BucketPartitionerMetricsMBean.class), name);
            mbeanName = name;
        } catch (JMException e) {
            LOG.warn("Could not register BucketPartitioner metrics over JMX", e);
        }
    }

    private final class Metrics implements BucketPartitionerMetricsMBean {
        @Override
        public long getRecordsRoutedTotal() {
            return routed.sum();
        }

        @Override
        public long getKeylessRecordsTotal() {
            return keyless.sum();
        }

        @Override
        public String getKeylessPolicy() {
            return keylessPolicy.configValue();
        }

        @Override
        public int getBucketCount() {
            return buckets.bucketCount();
        }
    }
}
