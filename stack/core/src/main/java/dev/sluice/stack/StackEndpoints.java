package dev.sluice.stack;

import dev.sluice.stack.security.StackSecurity;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where the services of a running stack answer. Written by {@code sluice stack up} to
 * {@value #FILE_NAME} in the stack's work directory once every service is ready, and read by every
 * other {@code sluice} command and by tests.
 *
 * <p>Immutable. Accessors of services that are not running return an empty {@link Optional}.
 */
public final class StackEndpoints {

    public static final String FILE_NAME = "endpoints.properties";

    public static final String SERVICES = "services";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap.servers";
    public static final String HBASE_ZOOKEEPER_QUORUM = "hbase.zookeeper.quorum";
    public static final String HBASE_ZNODE_PARENT = "hbase.zookeeper.znode.parent";
    public static final String SOLR_URL = "solr.url";
    public static final String SOLR_ZK_HOST = "solr.zk.host";
    public static final String HDFS_URI = "hdfs.uri";
    public static final String HDFS_HTTP_URL = "hdfs.http.url";
    public static final String YARN_RM_ADDRESS = "yarn.resourcemanager.address";
    public static final String YARN_RM_SCHEDULER_ADDRESS = "yarn.resourcemanager.scheduler.address";
    public static final String YARN_RM_WEB_URL = "yarn.resourcemanager.webapp.url";
    public static final String CLIENT_CONF_DIR = "client.conf.dir";
    /** Secured stacks: the directory of the CA, stores and secrets. */
    public static final String SECURITY_DIR = "security.dir";
    /** Secured stacks: the CA certificate (PEM), for curl --cacert and the like. */
    public static final String CA_PEM = "security.ca.pem";
    /** Secured stacks: Kafka client settings of the admin user; {@code <this>.<user>} for each other user. */
    public static final String KAFKA_CLIENT_CONFIG = "kafka.client.config";
    /** Secured stacks: Solr client settings (basic authentication, trust store). */
    public static final String SOLR_CLIENT_CONFIG = "solr.client.config";

    /** Shell variable names for {@link #shellExports()}, in print order. */
    private static final Map<String, String> SHELL_NAMES = shellNames();

    private final Path workDir;
    private final Map<String, String> values;

    StackEndpoints(Path workDir, Map<String, String> values) {
        this.workDir = workDir;
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** Reads the endpoints of the stack in {@code workDir}, or empty if no stack was brought up there. */
    public static Optional<StackEndpoints> read(Path workDir) {
        Path file = workDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        return Optional.of(new StackEndpoints(workDir, values));
    }

    /** Writes atomically, so a reader never sees half a file. */
    void write() {
        Properties properties = new Properties();
        properties.putAll(values);
        Path file = workDir.resolve(FILE_NAME);
        Path tmp = workDir.resolve(FILE_NAME + ".tmp");
        try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            properties.store(writer, "Sluice local stack endpoints");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static void delete(Path workDir) {
        try {
            Files.deleteIfExists(workDir.resolve(FILE_NAME));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    public Set<Service> services() {
        String list = values.getOrDefault(SERVICES, "");
        EnumSet<Service> services = EnumSet.noneOf(Service.class);
        Arrays.stream(list.split(",")).filter(s -> !s.isBlank()).map(Service::fromId).forEach(services::add);
        return services;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** @throws StackException naming the service when it is not part of this stack */
    public String require(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new StackException("the stack in " + workDir + " has no '" + key
                    + "' endpoint; start the service that provides it (sluice stack up --services ...)");
        }
        return value;
    }

    /** Whether the stack runs in secured mode (TLS, authentication, ACLs). */
    public boolean secure() {
        return values.containsKey(SECURITY_DIR);
    }

    /**
     * The Kafka client settings file for {@code user} ({@code admin}, {@code sluice}, {@code flume}) of a
     * secured stack; empty for an open one.
     */
    public Optional<Path> kafkaClientConfig(String user) {
        return get(user.equals(StackSecurity.KAFKA_ADMIN) ? KAFKA_CLIENT_CONFIG : KAFKA_CLIENT_CONFIG + "." + user).map(Path::of);
    }

    /** The Solr client settings file of a secured stack; empty for an open one. */
    public Optional<Path> solrClientConfig() {
        return get(SOLR_CLIENT_CONFIG).map(Path::of);
    }

    public String kafkaBootstrapServers() {
        return require(KAFKA_BOOTSTRAP);
    }

    public String zookeeperConnect() {
        return require(ZOOKEEPER_CONNECT);
    }

    public String solrUrl() {
        return require(SOLR_URL);
    }

    public String solrZkHost() {
        return require(SOLR_ZK_HOST);
    }

    public String hdfsUri() {
        return require(HDFS_URI);
    }

    public String hdfsHttpUrl() {
        return require(HDFS_HTTP_URL);
    }

    public String yarnResourceManagerAddress() {
        return require(YARN_RM_ADDRESS);
    }

    public String yarnWebUrl() {
        return require(YARN_RM_WEB_URL);
    }

    /**
     * A directory of Hadoop-style client configuration ({@code core-site.xml}, {@code hbase-site.xml},
     * {@code yarn-site.xml}) pointing at this stack, for HADOOP_CONF_DIR, HBASE_CONF_DIR or a classpath.
     */
    public Path clientConfDir() {
        return Path.of(require(CLIENT_CONF_DIR));
    }

    /** HBase client settings for this stack, to copy into a {@code Configuration}. */
    public Map<String, String> hbaseClientSettings() {
        return Map.of("hbase.zookeeper.quorum", require(HBASE_ZOOKEEPER_QUORUM),
                "zookeeper.znode.parent", require(HBASE_ZNODE_PARENT));
    }

    public Map<String, String> asMap() {
        return values;
    }

    /** {@code export NAME='value'} lines for a POSIX shell, one per endpoint of this stack. */
    public String shellExports() {
        StringBuilder out = new StringBuilder();
        out.append("export SLUICE_STACK_DIR=").append(shellQuote(workDir.toString())).append('\n');
        SHELL_NAMES.forEach((key, name) -> get(key).ifPresent(value ->
                out.append("export ").append(name).append('=').append(shellQuote(value)).append('\n')));
        return out.toString();
    }

    private static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static Map<String, String> shellNames() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put(KAFKA_BOOTSTRAP, "SLUICE_KAFKA_BOOTSTRAP");
        names.put(ZOOKEEPER_CONNECT, "SLUICE_ZOOKEEPER");
        names.put(SOLR_URL, "SLUICE_SOLR_URL");
        names.put(SOLR_ZK_HOST, "SLUICE_SOLR_ZK");
        names.put(HDFS_URI, "SLUICE_HDFS_URI");
        names.put(HDFS_HTTP_URL, "SLUICE_HDFS_HTTP");
        names.put(YARN_RM_ADDRESS, "SLUICE_YARN_RM");
        names.put(YARN_RM_WEB_URL, "SLUICE_YARN_WEB");
        names.put(CLIENT_CONF_DIR, "SLUICE_CONF_DIR");
        names.put(KAFKA_CLIENT_CONFIG, "SLUICE_KAFKA_CONFIG");
        names.put(SOLR_CLIENT_CONFIG, "SLUICE_SOLR_CONFIG");
        return Collections.unmodifiableMap(names);
    }

    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "StackEndpoints{", "}"));
    }
}
