package dev.sluice.stack.hbase;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.LocalHBaseCluster;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HMaster and one HRegionServer in this JVM, on an external ZooKeeper.
 *
 * <p>{@code HMaster start} in standalone mode always starts a private ZooKeeper; Sluice's stack
 * runs one ZooKeeper shared by HBase and SolrCloud, as a real cluster does, so this launcher does
 * what standalone mode does after its ZooKeeper is up. Configuration comes from
 * {@code hbase-site.xml} on the classpath.
 */
public final class HBaseStandalone {

    private HBaseStandalone() {
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
        Configuration conf = HBaseConfiguration.create();
        LocalHBaseCluster cluster = new LocalHBaseCluster(conf, 1, 1);
        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            cluster.shutdown();
            cluster.join();
        }, "hbase-standalone-shutdown"));
        cluster.startup();
        System.out.println("HBaseStandalone: master and region server started");
        // A master or region server that aborts (out of memory, lost ZooKeeper session) ends its thread
        // but not the JVM: exit, so the stack reports this service as down instead of a live husk.
        while (!stopping.get()) {
            boolean allAlive = cluster.getMasters().stream().allMatch(Thread::isAlive)
                    && cluster.getRegionServers().stream().allMatch(Thread::isAlive);
            if (!allAlive) {
                if (stopping.get()) {
                    return;
                }
                System.err.println("HBaseStandalone: a master or region server died (see above); stopping");
                Runtime.getRuntime().halt(1);
            }
            Thread.sleep(1000);
        }
    }
}
