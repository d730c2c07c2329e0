package dev.sluice.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** A SolrCloud 9.10 node on the stack's ZooKeeper, under the {@code /solr} chroot. */
public final class SolrDefinition implements ServiceDefinition {

    static final String CHROOT = "/solr";

    @Override
    public Service service() {
        return Service.SOLR;
    }

    @Override
    public List<String> portNames() {
        return List.of("http");
    }

    @Override
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream) {
        return Map.of(StackEndpoints.SOLR_URL, "http://127.0.0.1:" + ports.get("http") + "/solr",
                StackEndpoints.SOLR_ZK_HOST, upstream.get(StackEndpoints.ZOOKEEPER_CONNECT) + CHROOT);
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints) throws IOException {
        String logging = LogConfig.log4j2(layout, List.of("org.apache.zookeeper", "org.apache.solr.common.cloud",
                "org.apache.solr.core.SolrResourceLoader", "org.eclipse.jetty"));
        return new JvmLaunch("dev.sluice.stack.solr.SolrCloudNode",
                List.of(layout.data().resolve("home").toString(), Integer.toString(ports.get("http")),
                        endpoints.get(StackEndpoints.ZOOKEEPER_CONNECT), CHROOT),
                "512m", List.of(logging, "-Dsolr.log.dir=" + layout.home(), "-Dsolr.data.home=" + layout.data().resolve("cores")),
                Map.of());
    }

    /** The Collections API answers CLUSTERSTATUS and lists this node as live. */
    @Override
    public String probe(Map<String, String> endpoints) throws Exception {
        String url = endpoints.get(StackEndpoints.SOLR_URL);
        JsonNode status = Http.getJson(url + "/admin/collections?action=CLUSTERSTATUS&wt=json");
        JsonNode liveNodes = status.path("cluster").path("live_nodes");
        if (!liveNodes.isArray() || liveNodes.isEmpty()) {
            throw new IOException("SolrCloud lists no live node yet");
        }
        return "solr " + url + " (live node " + liveNodes.get(0).asText() + ")";
    }
}
