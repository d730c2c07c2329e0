package dev.sluice.stack.internal;

import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.ClusterMetrics;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.util.Bytes;

import java.io.IOException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** HBase 2.6: master and region server in one JVM, on the stack's ZooKeeper, rooted in the local file system. */
public final class HBaseDefinition implements ServiceDefinition {

    static final String ZNODE_PARENT = "/hbase";

    /** JDK 17 options HBase's own scripts pass, so its reflective access works without warnings. */
    private static final List<String> JDK17_OPTIONS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true",
            "-Djava.net.preferIPv4Stack=true");

    @Override
    public Service service() {
        return Service.HBASE;
    }

    @Override
    public List<String> portNames() {
        return List.of("master", "regionserver");
    }

    @Override
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security) {
        return Map.of(StackEndpoints.HBASE_ZOOKEEPER_QUORUM, upstream.get(StackEndpoints.ZOOKEEPER_CONNECT),
                StackEndpoints.HBASE_ZNODE_PARENT, ZNODE_PARENT);
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                             Optional<StackSecurity> security) throws IOException {
        String zk = endpoints.get(StackEndpoints.ZOOKEEPER_CONNECT);
        Map<String, String> site = new LinkedHashMap<>();
        site.put("hbase.cluster.distributed", "false");
        site.put("hbase.rootdir", layout.data().resolve("root").toUri().toString());
        site.put("hbase.tmp.dir", layout.tmp().toString());
        site.put("hbase.zookeeper.quorum", zk.substring(0, zk.lastIndexOf(':')));
        site.put("hbase.zookeeper.property.clientPort", zk.substring(zk.lastIndexOf(':') + 1));
        site.put("zookeeper.znode.parent", ZNODE_PARENT);
        // The local file system has no hflush/hsync capability flags; standalone HBase must not insist.
        site.put("hbase.unsafe.stream.capability.enforce", "false");
        site.put("hbase.master.port", Integer.toString(ports.get("master")));
        site.put("hbase.regionserver.port", Integer.toString(ports.get("regionserver")));
        site.put("hbase.master.info.port", "-1");
        site.put("hbase.regionserver.info.port", "-1");
        site.put("hbase.master.ipc.address", "127.0.0.1");
        site.put("hbase.regionserver.ipc.address", "127.0.0.1");
        site.put("hbase.master.hostname", "127.0.0.1");
        site.put("hbase.unsafe.regionserver.hostname", "127.0.0.1");
        site.put("hbase.master.wait.on.regionservers.mintostart", "1");
        site.put("hbase.master.wait.on.regionservers.timeout", "100");
        site.put("hbase.master.wait.on.regionservers.interval", "100");
        SiteXml.write(layout.conf().resolve("hbase-site.xml"), site);
        String logging = LogConfig.log4j1(layout, List.of("org.apache.hadoop.hbase.shaded", "org.apache.zookeeper",
                "org.apache.hadoop.hbase.zookeeper", "org.apache.hadoop.metrics2", "org.apache.hadoop.hbase.ipc"));
        List<String> options = new java.util.ArrayList<>(JDK17_OPTIONS);
        options.add(logging);
        // 512 MB ran out of memory under a bulk load of 1M profiles (memstore plus RPC buffers).
        return new JvmLaunch("dev.sluice.stack.hbase.HBaseStandalone", List.of(), "1g", options, Map.of());
    }

    /** Client settings for a probe: fail fast instead of HBase's default minutes of retries. */
    static Configuration probeConfiguration(Map<String, String> endpoints) {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", endpoints.get(StackEndpoints.HBASE_ZOOKEEPER_QUORUM));
        conf.set("zookeeper.znode.parent", ZNODE_PARENT);
        conf.setInt("hbase.client.retries.number", 1);
        conf.setInt("hbase.client.pause", 100);
        conf.setInt("hbase.rpc.timeout", 3000);
        conf.setInt("hbase.client.operation.timeout", 5000);
        conf.setInt("hbase.client.meta.operation.timeout", 5000);
        conf.setInt("zookeeper.recovery.retry", 1);
        conf.setInt("zookeeper.session.timeout", 5000);
        return conf;
    }

    /** The master is initialized (namespaces answer), a region server is live, and hbase:meta serves a read. */
    @Override
    public String probe(Map<String, String> endpoints) throws IOException {
        try (Connection connection = ConnectionFactory.createConnection(probeConfiguration(endpoints));
             Admin admin = connection.getAdmin()) {
            admin.listNamespaceDescriptors();
            ClusterMetrics metrics = admin.getClusterMetrics(EnumSet.of(ClusterMetrics.Option.LIVE_SERVERS));
            if (metrics.getLiveServerMetrics().isEmpty()) {
                throw new IOException("HBase has no live region server yet");
            }
            try (Table meta = connection.getTable(TableName.META_TABLE_NAME)) {
                meta.get(new Get(Bytes.toBytes("sluice-readiness-probe")));
            }
            return "hbase on zookeeper " + endpoints.get(StackEndpoints.HBASE_ZOOKEEPER_QUORUM) + ZNODE_PARENT
                    + " (" + metrics.getLiveServerMetrics().size() + " region server)";
        }
    }
}
