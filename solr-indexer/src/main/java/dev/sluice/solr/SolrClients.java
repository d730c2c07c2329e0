package dev.sluice.solr;

import dev.sluice.common.security.SolrClientSecurity;
import org.apache.solr.client.solrj.embedded.SSLConfig;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** The one way Sluice builds its SolrCloud client, for the sink, the CLI and the tests. */
public final class SolrClients {

    private SolrClients() {
    }

    /** An unauthenticated client trusting the JVM's default certificates. */
    public static CloudSolrClient cloud(List<String> solrUrls, int requestTimeoutMs) {
        return cloud(solrUrls, requestTimeoutMs, SolrClientSecurity.NONE);
    }

    /**
     * A {@link CloudSolrClient} that learns the cluster state from the Solr nodes over HTTP (no
     * ZooKeeper client, so nothing more to ship into a Flume agent) and routes updates to shard leaders.
     *
     * @param solrUrls base URLs of one or more nodes, e.g. {@code https://127.0.0.1:8983/solr}
     * @param security basic-authentication credentials and TLS stores, checked when they were read
     */
    public static CloudSolrClient cloud(List<String> solrUrls, int requestTimeoutMs, SolrClientSecurity security) {
        Http2SolrClient.Builder http = new Http2SolrClient.Builder()
                .withConnectionTimeout(Math.min(requestTimeoutMs, 10_000), TimeUnit.MILLISECONDS)
                .withRequestTimeout(requestTimeoutMs, TimeUnit.MILLISECONDS)
                .withIdleTimeout(Math.max(requestTimeoutMs, 60_000), TimeUnit.MILLISECONDS);
        if (security.authenticates()) {
            http.withBasicAuthCredentials(security.username().orElseThrow(), security.password().orElseThrow());
        }
        if (security.trustStore().isPresent() || security.keyStore().isPresent()) {
            // The stores are given per client (not as javax.net.ssl.* properties), so a Flume agent can hold
            // sinks for clusters with different CAs.
            http.withSSLConfig(new SSLConfig(true, security.keyStore().isPresent(),
                    security.keyStore().map(SolrClientSecurity.Store::location).orElse(null),
                    security.keyStore().map(SolrClientSecurity.Store::password).orElse(null),
                    security.trustStore().map(SolrClientSecurity.Store::location).orElse(null),
                    security.trustStore().map(SolrClientSecurity.Store::password).orElse(null)));
        }
        return new CloudHttp2SolrClient.Builder(solrUrls)
                .withInternalClientBuilder(http)
                .sendUpdatesOnlyToShardLeaders()
                .build();
    }
}
