package dev.sluice.stack.hadoop;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;

import java.io.File;

/**
 * A NameNode and a DataNode in this JVM (as MiniDFSCluster does, minus its test dependencies):
 * a real HDFS for one machine at the cost of one JVM. Formats the name directory on first start.
 * Configuration comes from {@code core-site.xml} and {@code hdfs-site.xml} on the classpath.
 */
public final class HdfsStandalone {

    private HdfsStandalone() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Server threads started before the failure would keep a half-started JVM alive: exit instead.
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Configuration conf = new HdfsConfiguration();
        // Both daemons register metrics sources under the same names; mini-cluster mode tolerates that.
        DefaultMetricsSystem.setMiniClusterMode(true);
        File nameDir = new File(conf.get("dfs.namenode.name.dir"));
        if (!new File(nameDir, "current/VERSION").exists()) {
            NameNode.format(conf);
        }
        NameNode nameNode = NameNode.createNameNode(new String[0], conf);
        DataNode dataNode = DataNode.createDataNode(new String[0], conf);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dataNode.shutdown();
            nameNode.stop();
        }, "hdfs-standalone-shutdown"));
        System.out.println("HdfsStandalone: NameNode and DataNode started");
        nameNode.join();
    }
}
