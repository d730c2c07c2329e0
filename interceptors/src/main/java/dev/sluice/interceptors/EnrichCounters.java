package dev.sluice.interceptors;

/** Counters of {@link EnrichInterceptor}. */
public final class EnrichCounters extends InterceptorCounters implements EnrichCountersMBean {

    static final String HBASE_CALLS = "HBaseCallCount";
    static final String HBASE_KEYS = "HBaseKeyCount";
    static final String CACHE_HITS = "CacheHitCount";
    static final String PROFILE_MISSING = "ProfileMissingCount";
    static final String HBASE_UNAVAILABLE = "HBaseUnavailableCount";

    EnrichCounters(String name) {
        super(name, HBASE_CALLS, HBASE_KEYS, CACHE_HITS, PROFILE_MISSING, HBASE_UNAVAILABLE);
    }

    @Override
    public long getHBaseCallCount() {
        return count(HBASE_CALLS);
    }

    @Override
    public long getHBaseKeyCount() {
        return count(HBASE_KEYS);
    }

    @Override
    public long getCacheHitCount() {
        return count(CACHE_HITS);
    }

    @Override
    public long getProfileMissingCount() {
        return count(PROFILE_MISSING);
    }

    @Override
    public long getHBaseUnavailableCount() {
        return count(HBASE_UNAVAILABLE);
    }
}
