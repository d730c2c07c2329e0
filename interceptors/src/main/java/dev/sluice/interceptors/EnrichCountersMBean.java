package dev.sluice.interceptors;

/** JMX view of the enrich interceptor's counters ({@code INTERCEPTOR.enrich-<n>} in Flume's metrics). */
public interface EnrichCountersMBean extends InterceptorCountersMBean {

    /** Multi-get calls to HBase: at most one per Flume batch. */
    long getHBaseCallCount();

    /** Keys looked up in HBase (cache misses). */
    long getHBaseKeyCount();

    /** Keys answered from the cache, profile or known absence. */
    long getCacheHitCount();

    /** Events whose key has no profile. */
    long getProfileMissingCount();

    /** Events that could not be enriched because HBase did not answer in time. */
    long getHBaseUnavailableCount();
}
