package dev.sluice.stack.solr;

import org.apache.solr.client.solrj.embedded.SSLConfig;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.solr.security.Sha256AuthenticationProvider;
import org.apache.zookeeper.CreateMode;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
 * <p>With a fifth argument, a {@code tls.properties} file (key and trust store, basic-auth user,
 * each password in a file of its own), the node serves HTTPS only, requires client certificates from
 * the same CA (mutual TLS), and requires basic authentication for every request: it writes
 * {@code security.json} (BasicAuthPlugin, the user as admin) and {@code urlScheme=https} to its
 * ZooKeeper chroot before it starts.
 *
 * <p>Arguments: {@code <solr-home> <port> <zk-host:port> <chroot> [<tls.properties>]}.
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
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: SolrCloudNode <solr-home> <port> <zk-host:port> <chroot> [<tls.properties>]");
            System.exit(2);
        }
        Path solrHome = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String zkAddress = args[2];
        String chroot = args[3];

        Properties tls = args.length == 5 ? readProperties(Path.of(args[4])) : null;
        prepareZooKeeper(zkAddress, chroot, tls);
        Files.createDirectories(solrHome);
        Files.writeString(solrHome.resolve("solr.xml"), SOLR_XML, StandardCharsets.UTF_8);

        System.setProperty("zkHost", zkAddress + chroot);
        System.setProperty("hostPort", Integer.toString(port));
        Properties nodeProperties = new Properties();
        nodeProperties.setProperty("hostPort", Integer.toString(port));
        JettyConfig.Builder jetty = new JettyConfig.Builder().setPort(port).setContext("/solr").stopAtShutdown(false);
        if (tls != null) {
            jetty.withSSLConfig(serverTls(tls));
            // JettySolrRunner builds its TLS connector only in this mode (otherwise it serves plain HTTP and h2c).
            System.setProperty("jetty.testMode", "true");
        }
        JettySolrRunner runner = new JettySolrRunner(solrHome.toString(), nodeProperties, jetty.build());
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

    /**
     * TLS for Jetty and for the node's own requests to other nodes (Solr's HTTP client reads the
     * standard {@code javax.net.ssl.*} properties). Set here, in the node's JVM, from the password
     * files, so that no password is on its command line.
     */
    private static SSLConfig serverTls(Properties tls) throws IOException {
        String keyStore = tls.getProperty("keystore");
        String keyStorePassword = secret(tls, "keystore.password.file");
        String trustStore = tls.getProperty("truststore");
        String trustStorePassword = secret(tls, "truststore.password.file");
        System.setProperty("javax.net.ssl.keyStore", keyStore);
        System.setProperty("javax.net.ssl.keyStoreType", "PKCS12");
        System.setProperty("javax.net.ssl.keyStorePassword", keyStorePassword);
        System.setProperty("javax.net.ssl.trustStore", trustStore);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("javax.net.ssl.trustStorePassword", trustStorePassword);
        return new SSLConfig(true, true, keyStore, keyStorePassword, trustStore, trustStorePassword) {
            @Override
            public SslContextFactory.Server createContextFactory() {
                SslContextFactory.Server factory = super.createContextFactory();
                // Mutual TLS: a client certificate from the stack's CA is required (then basic authentication names the user).
                factory.setNeedClientAuth(true);
                factory.setKeyStoreType("PKCS12");
                factory.setTrustStorePath(trustStore);
                factory.setTrustStorePassword(trustStorePassword);
                factory.setTrustStoreType("PKCS12");
                return factory;
            }
        };
    }

    private static String secret(Properties tls, String key) throws IOException {
        return Files.readString(Path.of(tls.getProperty(key)), StandardCharsets.UTF_8).strip();
    }

    private static Properties readProperties(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return properties;
    }

    /** {@code security.json}: basic authentication required for everything, the one user an admin. */
    private static byte[] securityJson(Properties tls) throws IOException {
        String user = tls.getProperty("user");
        String hashed = Sha256AuthenticationProvider.getSaltedHashedValue(secret(tls, "user.password.file"));
        String json = "{\"authentication\":{\"class\":\"solr.BasicAuthPlugin\",\"blockUnknown\":true,\"forwardCredentials\":false,"
                + "\"credentials\":{\"" + user + "\":\"" + hashed + "\"}},"
                + "\"authorization\":{\"class\":\"solr.RuleBasedAuthorizationPlugin\","
                + "\"permissions\":[{\"name\":\"all\",\"role\":\"admin\"}],\"user-role\":{\"" + user + "\":[\"admin\"]}}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Creates the chroot and uploads the bundled configset, leaving existing nodes untouched. */
    private static void prepareZooKeeper(String zkAddress, String chroot, Properties tls) throws Exception {
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
            if (tls != null) {
                // Written on every start: the stack generates new credentials each time.
                put(zk, chroot + "/security.json", securityJson(tls));
                put(zk, chroot + "/clusterprops.json", "{\"urlScheme\":\"https\"}".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            zk.close();
        }
    }

    private static void put(ZooKeeper zk, String path, byte[] data) throws Exception {
        try {
            zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            zk.setData(path, data, -1);
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
