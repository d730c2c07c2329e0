package dev.sluice.bench.enrich;

import java.util.Locale;

/** The ways of enriching {@code events.raw} with profiles that the enrichment benchmark compares. */
enum EnrichVariant {
    /** Sluice's partitioned consumer, at-least-once: its 1/N of the profiles in memory. */
    SLUICE_ALOS("sluice at_least_once"),
    /** Sluice's partitioned consumer, exactly once (one transaction per poll). */
    SLUICE_EOS("sluice exactly_once"),
    /** Kafka Streams: KStream–KTable join on a co-partitioned, compacted profiles topic (RocksDB). */
    STREAMS_ALOS("kafka streams at_least_once"),
    /** Kafka Streams, exactly_once_v2. */
    STREAMS_EOS("kafka streams exactly_once_v2"),
    /** No cache: one HBase Get per event. */
    HBASE_GET("hbase get per event"),
    /** No cache: one HBase multi-get per poll. */
    HBASE_MULTIGET("hbase multi-get per poll"),
    /** Consume and produce the same bytes, nothing else: the ceiling. */
    PASS_THROUGH("raw pass-through");

    private final String label;

    EnrichVariant(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static EnrichVariant ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
