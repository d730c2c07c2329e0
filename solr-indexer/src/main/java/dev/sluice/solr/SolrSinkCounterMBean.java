package dev.sluice.solr;

import org.apache.flume.instrumentation.SinkCounterMBean;

/** Flume's sink counters plus what only a Solr sink knows; shown in Flume's metrics as {@code SINK.<name>}. */
public interface SolrSinkCounterMBean extends SinkCounterMBean {

    /** Records sent to the dead-letter topic (refused by the sink's mapping or by Solr). */
    long getDocumentRejectedCount();

    /** Batches or documents re-sent after a retriable Solr failure. */
    long getSolrRetryCount();
}
