package dev.sluice.solr;

import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** The one way Sluice builds its SolrCloud client, for the sink, the CLI and the tests. */
public final class SolrClients {

    private SolrClients() {
    }

    /**
     * A {@link CloudSolrClient} that learns the cluster state from the Solr nodes over HTTP (no
     * ZooKeeper client, so nothing more to ship into a Flume agent) and routes updates to shard leaders.
     *
     * @param solrUrls base URLs of one or more nodes, e.g. {@code http://127.0.0.1:8983/solr}
     */
    public static CloudSolrClient cloud(List<String> solrUrls, int requestTimeoutMs) {
        Http2SolrClient.Builder http = new Http2SolrClient.Builder()
                .withConnectionTimeout(Math.min(requestTimeoutMs, 10_000), TimeUnit.MILLISECONDS)
                .withRequestTimeout(requestTimeoutMs, TimeUnit.MILLISECONDS)
                .withIdleTimeout(Math.max(requestTimeoutMs, 60_000), TimeUnit.MILLISECONDS);
        return new CloudHttp2SolrClient.Builder(solrUrls)
                .withInternalClientBuilder(http)
                .sendUpdatesOnlyToShardLeaders()
                .build();
    }
}
