package dev.sluice.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;
import dev.sluice.stack.StackEndpoints;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** HDFS from Hadoop 3.5: a NameNode and a DataNode in one JVM, replication 1. */
public final class HdfsDefinition implements ServiceDefinition {

    @Override
    public Service service() {
        return Service.HDFS;
    }

    @Override
    public List<String> portNames() {
        return List.of("namenode", "namenode-http", "datanode", "datanode-http", "datanode-ipc");
    }

    @Override
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security) {
        return Map.of(StackEndpoints.HDFS_URI, "hdfs://127.0.0.1:" + ports.get("namenode"),
                StackEndpoints.HDFS_HTTP_URL, "http://127.0.0.1:" + ports.get("namenode-http"));
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                             Optional<StackSecurity> security) throws IOException {
        Map<String, String> core = new LinkedHashMap<>();
        core.put("fs.defaultFS", endpoints.get(StackEndpoints.HDFS_URI));
        core.put("hadoop.tmp.dir", layout.tmp().toString());
        SiteXml.write(layout.conf().resolve("core-site.xml"), core);

        Map<String, String> hdfs = new LinkedHashMap<>();
        hdfs.put("dfs.namenode.name.dir", layout.data().resolve("name").toString());
        hdfs.put("dfs.datanode.data.dir", layout.data().resolve("data").toString());
        hdfs.put("dfs.replication", "1");
        hdfs.put("dfs.namenode.rpc-address", "127.0.0.1:" + ports.get("namenode"));
        hdfs.put("dfs.namenode.http-address", "127.0.0.1:" + ports.get("namenode-http"));
        hdfs.put("dfs.namenode.secondary.http-address", "127.0.0.1:0");
        hdfs.put("dfs.datanode.address", "127.0.0.1:" + ports.get("datanode"));
        hdfs.put("dfs.datanode.http.address", "127.0.0.1:" + ports.get("datanode-http"));
        hdfs.put("dfs.datanode.ipc.address", "127.0.0.1:" + ports.get("datanode-ipc"));
        hdfs.put("dfs.datanode.hostname", "127.0.0.1");
        hdfs.put("dfs.namenode.datanode.registration.ip-hostname-check", "false");
        // One DataNode: leave safe mode as soon as the blocks are reported, and heartbeat often.
        hdfs.put("dfs.namenode.safemode.extension", "0");
        hdfs.put("dfs.heartbeat.interval", "1");
        hdfs.put("dfs.permissions.enabled", "false");
        hdfs.put("dfs.webhdfs.enabled", "true");
        SiteXml.write(layout.conf().resolve("hdfs-site.xml"), hdfs);

        String logging = LogConfig.log4j1(layout, List.of("org.apache.hadoop.metrics2", "org.apache.hadoop.hdfs.StateChange",
                "org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit", "org.eclipse.jetty"));
        return new JvmLaunch("dev.sluice.stack.hadoop.HdfsStandalone", List.of(), "384m",
                List.of(logging, "-Djava.net.preferIPv4Stack=true", "-Dhadoop.log.dir=" + layout.home()), Map.of());
    }

    /** WebHDFS answers for "/", the NameNode is out of safe mode and a DataNode is live. */
    @Override
    public String probe(Map<String, String> endpoints) throws Exception {
        String http = endpoints.get(StackEndpoints.HDFS_HTTP_URL);
        Http.getJson(http + "/webhdfs/v1/?op=GETFILESTATUS&user.name=sluice");
        JsonNode state = Http.getJson(http + "/jmx?qry=Hadoop:service=NameNode,name=FSNamesystemState").path("beans").path(0);
        int liveDataNodes = state.path("NumLiveDataNodes").asInt(0);
        if (liveDataNodes < 1) {
            throw new IOException("HDFS has no live DataNode yet");
        }
        JsonNode info = Http.getJson(http + "/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo").path("beans").path(0);
        String safemode = info.path("Safemode").asText("");
        if (!safemode.isEmpty()) {
            throw new IOException("HDFS is in safe mode: " + safemode);
        }
        return "hdfs " + endpoints.get(StackEndpoints.HDFS_URI) + " (" + liveDataNodes + " DataNode)";
    }
}
