package dev.sluice.solr;

import org.apache.flume.instrumentation.SinkCounter;

/** {@link SinkCounter} with the Solr sink's own counters. */
public final class SolrSinkCounter extends SinkCounter implements SolrSinkCounterMBean {

    private static final String REJECTED = "sink.solr.document.rejected";
    private static final String RETRIES = "sink.solr.retry";

    public SolrSinkCounter(String name) {
        super(name, new String[] {REJECTED, RETRIES});
    }

    @Override
    public long getDocumentRejectedCount() {
        return get(REJECTED);
    }

    void addRejected(long count) {
        addAndGet(REJECTED, count);
    }

    @Override
    public long getSolrRetryCount() {
        return get(RETRIES);
    }

    void incrementRetries() {
        increment(RETRIES);
    }
}
