package dev.sluice.common.kafka;

/** JMX view of one {@link BucketPartitioner}: {@code dev.sluice:type=bucket-partitioner,client-id=…}. */
public interface BucketPartitionerMetricsMBean {

    /** Records routed by their key since the partitioner was configured. */
    long getRecordsRoutedTotal();

    /** Records without a key since the partitioner was configured, whatever the policy did with them. */
    long getKeylessRecordsTotal();

    /** The configured keyless policy, as its configuration value. */
    String getKeylessPolicy();

    int getBucketCount();
}
