package dev.sluice.solr;

import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.BaseHttpSolrClient;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.util.NamedList;
import org.apache.solr.common.util.SimpleOrderedMap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SolrIndexerTest {

    /** Answers each update with the next behaviour; records what it was sent. */
    private static final class ScriptedSolr extends SolrClient {
        final List<Function<UpdateRequest, NamedList<Object>>> script = new ArrayList<>();
        final List<List<String>> sent = new ArrayList<>();

        @Override
        public NamedList<Object> request(SolrRequest<?> request, String collection) throws SolrServerException, IOException {
            UpdateRequest update = (UpdateRequest) request;
            sent.add(SolrIndexer.ids(update.getDocuments()));
            Function<UpdateRequest, NamedList<Object>> next = script.size() > 1 ? script.remove(0) : script.get(0);
            try {
                return next.apply(update);
            } catch (WrappedIo e) {
                throw new SolrServerException(e.getCause());
            }
        }

        @Override
        public void close() {
        }
    }

    private static final class WrappedIo extends RuntimeException {
        WrappedIo(IOException cause) {
            super(cause);
        }
    }

    private final List<Long> sleeps = new ArrayList<>();

    private SolrIndexer indexer(ScriptedSolr solr, long deadlineMs) {
        return new SolrIndexer(solr, "events", 1000, 100, 400, deadlineMs, sleeps::add, () -> { });
    }

    private static NamedList<Object> ok() {
        NamedList<Object> response = new NamedList<>();
        NamedList<Object> header = new SimpleOrderedMap<>();
        header.add("status", 0);
        response.add("responseHeader", header);
        return response;
    }

    private static NamedList<Object> okExcept(String id, String message) {
        NamedList<Object> response = ok();
        SimpleOrderedMap<Object> error = new SimpleOrderedMap<>();
        error.add("type", "ADD");
        error.add("id", id);
        error.add("message", message);
        ((NamedList<Object>) response.get("responseHeader")).add("errors", List.of(error));
        return response;
    }

    private static List<SolrInputDocument> docs(String... ids) {
        List<SolrInputDocument> docs = new ArrayList<>();
        for (String id : ids) {
            SolrInputDocument doc = new SolrInputDocument();
            doc.addField("id", id);
            docs.add(doc);
        }
        return docs;
    }

    @Test
    void reportsTheDocumentsATolerantChainRefused() throws Exception {
        ScriptedSolr solr = new ScriptedSolr();
        solr.script.add(request -> okExcept("b", "ERROR: [doc=b] Error adding field 'event_time'='yesterday'"));

        Map<String, String> refused = indexer(solr, 1000).index(docs("a", "b", "c"));

        assertThat(refused).containsOnlyKeys("b");
        assertThat(refused.get("b")).contains("event_time");
        assertThat(solr.sent).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void retriesUnavailableSolrWithGrowingBackoffThenSucceeds() throws Exception {
        ScriptedSolr solr = new ScriptedSolr();
        solr.script.add(request -> { throw new WrappedIo(new ConnectException("Connection refused")); });
        solr.script.add(request -> { throw new BaseHttpSolrClient.RemoteSolrException("h", 503, "Service Unavailable", null); });
        solr.script.add(request -> { throw new WrappedIo(new ConnectException("Connection refused")); });
        solr.script.add(request -> { throw new WrappedIo(new ConnectException("Connection refused")); });
        solr.script.add(request -> ok());

        SolrIndexer indexer = indexer(solr, 60_000);
        assertThat(indexer.index(docs("a", "b"))).isEmpty();

        assertThat(sleeps).containsExactly(100L, 200L, 400L, 400L);
        assertThat(indexer.retries()).isEqualTo(4);
        assertThat(solr.sent).hasSize(5).allMatch(ids -> ids.equals(List.of("a", "b")));
    }

    @Test
    void givesUpAtTheDeadlineWithoutRefusingAnyDocument() {
        ScriptedSolr solr = new ScriptedSolr();
        solr.script.add(request -> { throw new WrappedIo(new ConnectException("Connection refused")); });

        assertThatThrownBy(() -> indexer(solr, 0).index(docs("a")))
                .isInstanceOf(SolrIndexer.SolrUnavailableException.class)
                .hasMessageContaining("within 0 ms");
    }

    @Test
    void aMissingCollectionIsRetriedNotDeadLettered() {
        ScriptedSolr solr = new ScriptedSolr();
        solr.script.add(request -> { throw new BaseHttpSolrClient.RemoteSolrException("h", 400, "Collection not found: events", null); });

        assertThatThrownBy(() -> indexer(solr, 0).index(docs("a")))
                .isInstanceOf(SolrIndexer.SolrUnavailableException.class);
    }

    @Test
    void withoutATolerantChainFindsTheRefusedDocumentOneByOne() throws Exception {
        ScriptedSolr solr = new ScriptedSolr();
        solr.script.add(request -> {
            if (SolrIndexer.ids(request.getDocuments()).contains("bad")) {
                throw new BaseHttpSolrClient.RemoteSolrException("h", 400, "ERROR: [doc=bad] missing required field: key", null);
            }
            return ok();
        });

        Map<String, String> refused = indexer(solr, 1000).index(docs("a", "bad", "c"));

        assertThat(refused).containsOnlyKeys("bad");
        assertThat(refused.get("bad")).contains("missing required field: key");
        assertThat(solr.sent).containsExactly(List.of("a", "bad", "c"), List.of("a"), List.of("bad"), List.of("c"));
    }
}
