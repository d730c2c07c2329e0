package dev.sluice.stack.hadoop;

import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.nodemanager.NodeManager;
import org.apache.hadoop.yarn.server.resourcemanager.ResourceManager;

import java.util.concurrent.CountDownLatch;

/**
 * A ResourceManager and a NodeManager in this JVM (as MiniYARNCluster does), launching real
 * containers as child processes with the DefaultContainerExecutor. Configuration comes from
 * {@code yarn-site.xml} on the classpath.
 */
public final class YarnStandalone {

    private YarnStandalone() {
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
        YarnConfiguration conf = new YarnConfiguration();
        DefaultMetricsSystem.setMiniClusterMode(true);
        ResourceManager resourceManager = new ResourceManager();
        resourceManager.init(conf);
        resourceManager.start();
        NodeManager nodeManager = new NodeManager();
        nodeManager.init(conf);
        nodeManager.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            nodeManager.stop();
            resourceManager.stop();
            stopped.countDown();
        }, "yarn-standalone-shutdown"));
        System.out.println("YarnStandalone: ResourceManager and NodeManager started");
        stopped.await();
    }
}
