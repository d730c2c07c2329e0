package dev.sluice.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;
import dev.sluice.stack.StackEndpoints;

import dev.sluice.common.security.SettingsFile;
import dev.sluice.common.security.Secrets;
import dev.sluice.common.security.SolrClientSecurity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security) {
        String scheme = security.isPresent() ? "https" : "http";
        return Map.of(StackEndpoints.SOLR_URL, scheme + "://127.0.0.1:" + ports.get("http") + "/solr",
                StackEndpoints.SOLR_ZK_HOST, upstream.get(StackEndpoints.ZOOKEEPER_CONNECT) + CHROOT);
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                             Optional<StackSecurity> security) throws IOException {
        String logging = LogConfig.log4j2(layout, List.of("org.apache.zookeeper", "org.apache.solr.common.cloud",
                "org.apache.solr.core.SolrResourceLoader", "org.eclipse.jetty"));
        List<String> arguments = new ArrayList<>(List.of(layout.data().resolve("home").toString(), Integer.toString(ports.get("http")),
                endpoints.get(StackEndpoints.ZOOKEEPER_CONNECT), CHROOT));
        if (security.isPresent()) {
            arguments.add(writeTlsSettings(layout, security.get()).toString());
        }
        return new JvmLaunch("dev.sluice.stack.solr.SolrCloudNode", arguments,
                "512m", List.of(logging, "-Dsolr.log.dir=" + layout.home(), "-Dsolr.data.home=" + layout.data().resolve("cores")),
                Map.of());
    }

    /**
     * Where the node's TLS stores and the basic-authentication user are, with the files that hold
     * their passwords: paths only, so this file and the node's command line hold no secret.
     */
    private static Path writeTlsSettings(ServiceLayout layout, StackSecurity security) throws IOException {
        Path file = layout.conf().resolve("tls.properties");
        Files.writeString(file, String.join("\n",
                "keystore=" + security.solrKeyStore(),
                "keystore.password.file=" + security.secret(StackSecurity.SOLR_KEYSTORE_PASSWORD),
                "truststore=" + security.trustStore(),
                "truststore.password.file=" + security.secret(StackSecurity.TRUSTSTORE_PASSWORD),
                "user=" + StackSecurity.SOLR_USER,
                "user.password.file=" + security.secret(StackSecurity.SOLR_PASSWORD), ""), StandardCharsets.UTF_8);
        return file;
    }

    /** The Collections API answers CLUSTERSTATUS and lists this node as live. */
    @Override
    public String probe(Map<String, String> endpoints) throws Exception {
        String url = endpoints.get(StackEndpoints.SOLR_URL);
        String clientConfig = endpoints.get(StackEndpoints.SOLR_CLIENT_CONFIG);
        SolrClientSecurity security = clientConfig == null ? SolrClientSecurity.NONE : SolrClientSecurity.from(
                SettingsFile.read(Path.of(clientConfig), StackEndpoints.SOLR_CLIENT_CONFIG), "", Secrets.fromProcess());
        JsonNode status = Http.getJson(url + "/admin/collections?action=CLUSTERSTATUS&wt=json", security);
        JsonNode liveNodes = status.path("cluster").path("live_nodes");
        if (!liveNodes.isArray() || liveNodes.isEmpty()) {
            throw new IOException("SolrCloud lists no live node yet");
        }
        return "solr " + url + " (live node " + liveNodes.get(0).asText() + ")";
    }
}
