package dev.sluice.solr;

import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.response.UpdateResponse;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.util.NamedList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends batches of documents to one collection and tells which documents Solr refused.
 *
 * <p>Failures are of two kinds, and they are never confused:
 * <ul>
 *   <li><b>Solr refuses a document</b> (a value of the wrong type, a missing required field): the
 *       Sluice configset's tolerant update chain answers the batch with the refused ids and Solr's
 *       messages; the rest is indexed. Should a collection lack that chain, a batch answered with
 *       400 is re-sent document by document to find the culprits.</li>
 *   <li><b>Solr cannot take the batch now</b> (connection refused, timeouts, 5xx, 429, a missing
 *       collection, auth): retried with exponential backoff until the deadline, then {@link
 *       SolrUnavailableException}; the caller rolls its transaction back and nothing is lost. Such a
 *       failure never sends documents to the dead-letter topic.</li>
 * </ul>
 * Documents are keyed by event id, so a batch re-sent after a timeout that Solr had in fact
 * applied overwrites itself. Not thread-safe: one per sink thread.
 */
public final class SolrIndexer {

    /** Solr could not take a batch within the retry deadline. */
    public static final class SolrUnavailableException extends Exception {
        SolrUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Sleeps between retries; replaced in unit tests. */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SolrIndexer.class);

    private final SolrClient client;
    private final String collection;
    private final int commitWithinMs;
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final long deadlineMs;
    private final Sleeper sleeper;
    private final AtomicLong retries = new AtomicLong();
    private final Runnable onRetry;

    /** @param onRetry called before each retry, e.g. to count it where operators see it */
    public SolrIndexer(SolrClient client, String collection, int commitWithinMs, long initialBackoffMs, long maxBackoffMs, long deadlineMs,
                       Runnable onRetry) {
        this(client, collection, commitWithinMs, initialBackoffMs, maxBackoffMs, deadlineMs, Thread::sleep, onRetry);
    }

    SolrIndexer(SolrClient client, String collection, int commitWithinMs, long initialBackoffMs, long maxBackoffMs, long deadlineMs,
                Sleeper sleeper, Runnable onRetry) {
        this.onRetry = onRetry;
        this.client = client;
        this.collection = collection;
        this.commitWithinMs = commitWithinMs;
        this.initialBackoffMs = initialBackoffMs;
        this.maxBackoffMs = maxBackoffMs;
        this.deadlineMs = deadlineMs;
        this.sleeper = sleeper;
    }

    /** Retries so far (each re-send of a batch or document after a retriable failure). */
    public long retries() {
        return retries.get();
    }

    /**
     * Indexes the documents.
     *
     * @return Solr's message for each document it refused, by document id (empty when all were indexed)
     * @throws SolrUnavailableException if Solr did not take the batch within the retry deadline
     */
    public Map<String, String> index(List<SolrInputDocument> documents) throws SolrUnavailableException, InterruptedException {
        if (documents.isEmpty()) {
            return Map.of();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        try {
            return refusedIn(send(documents, deadline));
        } catch (DocumentsRefused refused) {
            // No tolerant chain on this collection: find the refused documents one by one.
            LOG.warn("Solr refused a batch of {} documents for {} as a whole ({}); re-sending them one by one",
                    documents.size(), collection, refused.getMessage());
            Map<String, String> messages = new LinkedHashMap<>();
            for (SolrInputDocument document : documents) {
                try {
                    messages.putAll(refusedIn(send(List.of(document), deadline)));
                } catch (DocumentsRefused single) {
                    messages.put(String.valueOf(document.getFieldValue("id")), single.getMessage());
                }
            }
            return messages;
        }
    }

    /** A 400-class answer to a whole request: the documents, not Solr's availability, are the problem. */
    private static final class DocumentsRefused extends Exception {
        DocumentsRefused(String message) {
            super(message);
        }
    }

    private UpdateResponse send(List<SolrInputDocument> documents, long deadline)
            throws SolrUnavailableException, DocumentsRefused, InterruptedException {
        long backoff = initialBackoffMs;
        while (true) {
            Exception failure;
            try {
                UpdateRequest request = new UpdateRequest();
                request.add(documents);
                if (commitWithinMs > 0) {
                    request.setCommitWithin(commitWithinMs);
                }
                // The tolerant chain's per-request cap: report every refused document, never give up the batch.
                request.setParam("maxErrors", "-1");
                return request.process(client, collection);
            } catch (SolrException e) {
                if (refusesDocuments(e)) {
                    throw new DocumentsRefused(message(e));
                }
                failure = e;
            } catch (SolrServerException | IOException | RuntimeException e) {
                failure = e;
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                throw new SolrUnavailableException("Solr did not take " + documents.size() + " documents for collection '"
                        + collection + "' within " + deadlineMs + " ms: " + message(failure), failure);
            }
            long pause = Math.min(backoff, remainingMs);
            LOG.warn("Solr did not take {} documents for {} ({}); retrying in {} ms", documents.size(), collection, message(failure), pause);
            retries.incrementAndGet();
            onRetry.run();
            sleeper.sleep(pause);
            backoff = Math.min(backoff * 2, maxBackoffMs);
        }
    }

    /**
     * Only a 400 (bad request) or 413 (too large) refuses the documents themselves. A missing
     * collection is a 400 in some paths of SolrJ, but it is an operator's problem, not the
     * documents': it is retried, never dead-lettered.
     */
    private static boolean refusesDocuments(SolrException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Collection not found") || message.contains("Could not find collection")) {
            return false;
        }
        return e.code() == 400 || e.code() == 413;
    }

    /** The refused documents a tolerant update chain reports in the response header. */
    @SuppressWarnings("unchecked")
    static Map<String, String> refusedIn(UpdateResponse response) {
        NamedList<?> header = response.getResponseHeader();
        Object errors = header == null ? null : header.get("errors");
        if (!(errors instanceof List<?> list) || list.isEmpty()) {
            return Map.of();
        }
        Map<String, String> refused = new LinkedHashMap<>();
        for (Object error : list) {
            String id;
            String message;
            if (error instanceof NamedList<?> named) {
                id = String.valueOf(named.get("id"));
                message = String.valueOf(named.get("message"));
            } else if (error instanceof Map<?, ?> map) {
                id = String.valueOf(map.get("id"));
                message = String.valueOf(map.get("message"));
            } else {
                continue;
            }
            refused.put(id, message);
        }
        return refused;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 500 ? message.substring(0, 500) + "…" : message;
    }

    /** For tests and logs: the documents' ids. */
    static List<String> ids(List<SolrInputDocument> documents) {
        List<String> ids = new ArrayList<>(documents.size());
        documents.forEach(d -> ids.add(String.valueOf(d.getFieldValue("id"))));
        return ids;
    }
}
