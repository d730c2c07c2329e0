package dev.sluice.solr;

import org.apache.flume.Channel;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.Transaction;
import org.apache.flume.conf.BatchSizeSupported;
import org.apache.flume.conf.Configurable;
import org.apache.flume.sink.AbstractSink;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.common.SolrInputDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Flume sink that indexes Sluice events or alerts into a SolrCloud collection (SolrJ 9.10
 * {@link CloudSolrClient}).
 *
 * <p>One channel transaction per batch: take up to {@code batchSize} events, turn them into
 * documents, index them with {@code commitWithin}, send what was refused to the dead-letter topic,
 * then commit. If Solr cannot take the batch within {@code retry.deadlineMs} (retrying with backoff
 * meanwhile), the transaction rolls back and the events are taken again on the next call: the
 * channel fills and the upstream feels back-pressure, nothing is lost. Document id = event id, so
 * a batch taken twice (a rollback after Solr had applied it, an agent killed before its channel
 * committed) overwrites itself.
 *
 * <p>A record that cannot be indexed, because it is not a Sluice event, has a value too large
 * to index, or Solr refuses it (wrong type, missing required field), goes to the dead-letter topic
 * with the reason and Solr's message, so one bad document never rolls the batch back forever.
 *
 * <p>Keys: see {@link SolrSinkSettings}. Counters: Flume's sink counters plus
 * {@code DocumentRejectedCount} and {@code SolrRetryCount}.
 */
public class SolrSink extends AbstractSink implements Configurable, BatchSizeSupported {

    private static final Logger LOG = LoggerFactory.getLogger(SolrSink.class);

    private SolrSinkSettings settings;
    private DocumentMapper mapper;
    private SolrSinkCounter counter;
    private CloudSolrClient client;
    private SolrIndexer indexer;
    private DeadLetterWriter deadLetters;

    @Override
    public void configure(Context context) {
        settings = SolrSinkSettings.from(context, getName());
        mapper = new DocumentMapper(settings.format(), settings.maxFieldBytes(), settings.maxRecordBytes());
        if (counter == null) {
            counter = new SolrSinkCounter(getName());
        }
    }

    @Override
    public long getBatchSize() {
        return settings.batchSize();
    }

    @Override
    public synchronized void start() {
        client = SolrClients.cloud(settings.solrUrls(), settings.requestTimeoutMs(), settings.security());
        indexer = new SolrIndexer(client, settings.collection(), settings.commitWithinMs(), settings.initialBackoffMs(),
                settings.maxBackoffMs(), settings.deadlineMs(), counter::incrementRetries);
        if (settings.onRejected() == SolrSinkSettings.OnRejected.DLQ) {
            deadLetters = new DeadLetterWriter(settings.dlqProducer(), settings.dlqTopic(), stage());
        }
        counter.start();
        counter.incrementConnectionCreatedCount();
        LOG.info("Solr sink {} indexing {} records into collection {} at {} (batch {}, commitWithin {} ms, retry deadline {} ms, rejected -> {})",
                getName(), settings.format().name().toLowerCase(java.util.Locale.ROOT), settings.collection(), settings.solrUrls(),
                settings.batchSize(), settings.commitWithinMs(), settings.deadlineMs(),
                settings.onRejected() == SolrSinkSettings.OnRejected.DLQ ? settings.dlqTopic() : "fail");
        super.start();
    }

    @Override
    public synchronized void stop() {
        super.stop();
        if (deadLetters != null) {
            deadLetters.close();
        }
        try {
            if (client != null) {
                client.close();
                counter.incrementConnectionClosedCount();
            }
        } catch (IOException e) {
            LOG.warn("Solr sink {}: closing the Solr client failed", getName(), e);
        }
        counter.stop();
    }

    @Override
    public Status process() throws EventDeliveryException {
        Channel channel = getChannel();
        Transaction transaction = channel.getTransaction();
        transaction.begin();
        try {
            List<Event> events = new ArrayList<>(settings.batchSize());
            for (int i = 0; i < settings.batchSize(); i++) {
                Event event = channel.take();
                if (event == null) {
                    break;
                }
                events.add(event);
            }
            if (events.isEmpty()) {
                counter.incrementBatchEmptyCount();
                transaction.commit();
                return Status.BACKOFF;
            }
            if (events.size() < settings.batchSize()) {
                counter.incrementBatchUnderflowCount();
            } else {
                counter.incrementBatchCompleteCount();
            }
            counter.addToEventDrainAttemptCount(events.size());

            List<RejectedRecord> rejected = new ArrayList<>();
            Map<String, Event> byId = new LinkedHashMap<>();
            List<SolrInputDocument> documents = new ArrayList<>(events.size());
            for (Event event : events) {
                try {
                    SolrInputDocument document = mapper.toDocument(event.getBody());
                    String id = (String) document.getFieldValue("id");
                    // The same id twice in a batch (a producer retry upstream): the last one wins, as in Solr.
                    if (byId.put(id, event) != null) {
                        documents.removeIf(d -> id.equals(d.getFieldValue("id")));
                    }
                    documents.add(document);
                } catch (DocumentMapper.Rejection e) {
                    rejected.add(new RejectedRecord(event, e.reason(), e.field(), e.getMessage()));
                }
            }
            Map<String, String> refused = indexer.index(documents);
            refused.forEach((id, message) -> rejected.add(new RejectedRecord(byId.get(id), RejectedRecord.SOLR_REJECTED, null, message)));
            rejected.removeIf(r -> r.event() == null);
            if (!rejected.isEmpty()) {
                if (deadLetters == null) {
                    RejectedRecord first = rejected.get(0);
                    throw new EventDeliveryException("Solr sink " + getName() + ": " + rejected.size() + " record(s) cannot be indexed and "
                            + SolrSinkSettings.ON_REJECTED + "=fail; first: " + first.reason() + " " + first.message());
                }
                deadLetters.write(rejected);
                counter.addRejected(rejected.size());
                LOG.warn("Solr sink {}: {} of {} records sent to {}; first: {} {}", getName(), rejected.size(), events.size(),
                        settings.dlqTopic(), rejected.get(0).reason(), rejected.get(0).message());
            }
            transaction.commit();
            counter.addToEventDrainSuccessCount(events.size());
            return Status.READY;
        } catch (SolrIndexer.SolrUnavailableException e) {
            transaction.rollback();
            counter.incrementConnectionFailedCount();
            // Flume's sink runner backs off and calls again; the channel keeps the events meanwhile.
            throw new EventDeliveryException("Solr sink " + getName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            transaction.rollback();
            Thread.currentThread().interrupt();
            throw new EventDeliveryException("Solr sink " + getName() + " interrupted", e);
        } catch (EventDeliveryException e) {
            transaction.rollback();
            throw e;
        } catch (Exception e) {
            transaction.rollback();
            counter.incrementEventWriteOrChannelFail(e);
            throw new EventDeliveryException("Solr sink " + getName() + " failed: " + e, e);
        } catch (Error e) {
            transaction.rollback();
            throw e;
        } finally {
            transaction.close();
        }
    }

    private String stage() {
        return "solr-sink:" + settings.collection();
    }
}
