package dev.sluice.stack.solr;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One SolrCloud node (Jetty 10, HTTP/1.1 and h2c) registered in an external ZooKeeper under a
 * chroot, as {@code bin/solr start -c -z host:port/solr} would run it.
 *
 * <p>Before Jetty starts it creates the chroot and uploads the {@code _default} configset that
 * ships in this jar (no Maven artifact carries Solr's own), so {@code CREATE} without a configset
 * works as on a stock install.
 *
 * <p>Arguments: {@code <solr-home> <port> <zk-host:port> <chroot>}.
 */
public final class SolrCloudNode {

    static final String CONFIGSET = "_default";
    private static final List<String> CONFIGSET_FILES = List.of("solrconfig.xml", "managed-schema.xml");
    private static final String SOLR_XML = """
            <?xml version="1.0" encoding="UTF-8" ?>
            <solr>
              <solrcloud>
                <str name="host">127.0.0.1</str>
                <int name="hostPort">${hostPort}</int>
                <str name="hostContext">${hostContext:solr}</str>
                <int name="zkClientTimeout">${zkClientTimeout:30000}</int>
                <bool name="genericCoreNodeNames">true</bool>
                <int name="distribUpdateSoTimeout">${distribUpdateSoTimeout:600000}</int>
                <int name="distribUpdateConnTimeout">${distribUpdateConnTimeout:60000}</int>
              </solrcloud>
              <shardHandlerFactory name="shardHandlerFactory" class="HttpShardHandlerFactory">
                <int name="socketTimeout">${socketTimeout:600000}</int>
                <int name="connTimeout">${connTimeout:60000}</int>
              </shardHandlerFactory>
            </solr>
            """;

    private SolrCloudNode() {
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
        if (args.length != 4) {
            System.err.println("usage: SolrCloudNode <solr-home> <port> <zk-host:port> <chroot>");
            System.exit(2);
        }
        Path solrHome = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String zkAddress = args[2];
        String chroot = args[3];

        prepareZooKeeper(zkAddress, chroot);
        Files.createDirectories(solrHome);
        Files.writeString(solrHome.resolve("solr.xml"), SOLR_XML, StandardCharsets.UTF_8);

        System.setProperty("zkHost", zkAddress + chroot);
        System.setProperty("hostPort", Integer.toString(port));
        Properties nodeProperties = new Properties();
        nodeProperties.setProperty("hostPort", Integer.toString(port));
        JettySolrRunner runner = new JettySolrRunner(solrHome.toString(), nodeProperties,
                new JettyConfig.Builder().setPort(port).setContext("/solr").stopAtShutdown(false).build());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "solr-node-shutdown"));
        runner.start();
        System.out.println("SolrCloudNode: started " + runner.getNodeName() + " at " + runner.getBaseUrl());
    }

    /** Creates the chroot and uploads the bundled configset, leaving existing nodes untouched. */
    private static void prepareZooKeeper(String zkAddress, String chroot) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(zkAddress, 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            if (!connected.await(60, TimeUnit.SECONDS)) {
                throw new IOException("could not connect to ZooKeeper at " + zkAddress + " within 60 s");
            }
            createIfAbsent(zk, chroot, new byte[0]);
            createIfAbsent(zk, chroot + "/configs", new byte[0]);
            createIfAbsent(zk, chroot + "/configs/" + CONFIGSET, new byte[0]);
            for (String file : CONFIGSET_FILES) {
                String resource = "configsets/" + CONFIGSET + "/conf/" + file;
                try (InputStream in = SolrCloudNode.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IOException("configset file missing from the solr role jar: " + resource);
                    }
                    createIfAbsent(zk, chroot + "/configs/" + CONFIGSET + "/" + file, in.readAllBytes());
                }
            }
        } finally {
            zk.close();
        }
    }

    private static void createIfAbsent(ZooKeeper zk, String path, byte[] data) throws Exception {
        try {
            zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // Already prepared by an earlier start: keep what is there.
        }
    }
}
