package dev.sluice.solr;

import dev.sluice.common.security.SolrClientSecurity;
import org.apache.solr.client.solrj.embedded.SSLConfig;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;
import org.eclipse.jetty.util.ssl.SslContextFactory;

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
            http.withSSLConfig(new ClientStores(security));
            // HTTP/2 over TLS needs ALPN negotiation, which the Jetty client here (and the one relocated into
            // the Flume plugin jar) does not carry: speak HTTP/1.1 on TLS. Plain-text clients keep h2c.
            http.useHttp1_1(true);
        }
        CloudSolrClient client = new CloudHttp2SolrClient.Builder(solrUrls)
                .withInternalClientBuilder(http)
                .sendUpdatesOnlyToShardLeaders()
                .build();
        if (solrUrls.stream().anyMatch(url -> url.startsWith("https:"))) {
            learnUrlScheme(client);
        }
        return client;
    }

    /**
     * SolrJ's HTTP cluster state provider learns the URL scheme of the nodes when it first fetches
     * the live nodes, but an admin request (create a collection, upload a configset) reads the scheme
     * before that and would speak plain HTTP to an HTTPS node: fetch them now. Solr being down is
     * not an error here; the client retries when it is used.
     */
    private static void learnUrlScheme(CloudSolrClient client) {
        try {
            client.getClusterStateProvider().getLiveNodes();
        } catch (RuntimeException notReachableYet) {
            // Collection requests route by the replicas' own https base URLs either way.
        }
    }

    /**
     * SolrJ's {@link SSLConfig} sets a client's trust store only together with a client certificate;
     * a client that trusts a private CA without presenting a certificate needs it set regardless.
     */
    private static final class ClientStores extends SSLConfig {
        private final SolrClientSecurity security;

        ClientStores(SolrClientSecurity security) {
            super(true, security.keyStore().isPresent(),
                    security.keyStore().map(SolrClientSecurity.Store::location).orElse(null),
                    security.keyStore().map(SolrClientSecurity.Store::password).orElse(null),
                    security.trustStore().map(SolrClientSecurity.Store::location).orElse(null),
                    security.trustStore().map(SolrClientSecurity.Store::password).orElse(null));
            this.security = security;
        }

        @Override
        public SslContextFactory.Client createClientContextFactory() {
            SslContextFactory.Client factory = new SslContextFactory.Client();
            security.keyStore().ifPresent(store -> {
                factory.setKeyStorePath(store.location());
                factory.setKeyStorePassword(store.password());
                factory.setKeyStoreType(store.type());
            });
            security.trustStore().ifPresent(store -> {
                factory.setTrustStorePath(store.location());
                factory.setTrustStorePassword(store.password());
                factory.setTrustStoreType(store.type());
            });
            return factory;
        }
    }
}
