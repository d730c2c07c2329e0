package dev.sluice.flumeconf;

import dev.sluice.common.security.SolrClientSecurity;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the validator knows about Flume 1.11's components and Sluice's: type aliases and classes,
 * required keys, and the keys each reads (for "did you mean"). A type it does not know is checked
 * for its class only; its keys are not judged.
 */
final class ComponentTypes {

    enum Kind { SOURCE, CHANNEL, SINK, INTERCEPTOR }

    /**
     * @param known keys the component reads; a key ending in {@code *} is a prefix (pass-through)
     */
    record Type(Kind kind, String alias, String className, Set<String> required, Set<String> known) {

        boolean knows(String key) {
            for (String k : known) {
                if (k.endsWith("*") ? key.startsWith(k.substring(0, k.length() - 1)) : k.equals(key)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Keys every source, channel or sink may carry regardless of type. */
    static final Set<String> SOURCE_COMMON = Set.of("type", "channels", "selector.*", "interceptors", "interceptors.*");
    static final Set<String> SINK_COMMON = Set.of("type", "channel");
    static final Set<String> CHANNEL_COMMON = Set.of("type");

    private static final Map<String, Type> BY_NAME = new HashMap<>();

    private static void add(Kind kind, String alias, String className, Set<String> required, Set<String> known) {
        Type type = new Type(kind, alias, className, required, known);
        if (alias != null) {
            BY_NAME.put(kind + ":" + alias.toLowerCase(Locale.ROOT), type);
        }
        BY_NAME.put(kind + ":" + className, type);
    }

    private static final Set<String> KAFKA_SSL = Set.of("kafka.consumer.*", "kafka.producer.*", "kafka.security.protocol", "kafka.ssl.*",
            "kafka.sasl.*");

    static {
        // ---- sources ----
        add(Kind.SOURCE, "avro", "org.apache.flume.source.AvroSource", Set.of("bind", "port"),
                Set.of("bind", "port", "threads", "compression-type", "ssl", "keystore", "keystore-password", "keystore-type",
                        "exclude-protocols", "include-protocols", "exclude-cipher-suites", "include-cipher-suites", "ipFilter", "ipFilterRules"));
        add(Kind.SOURCE, "thrift", "org.apache.flume.source.ThriftSource", Set.of("bind", "port"),
                Set.of("bind", "port", "threads", "ssl", "keystore", "keystore-password", "keystore-type", "kerberos", "agent-principal", "agent-keytab"));
        add(Kind.SOURCE, "exec", "org.apache.flume.source.ExecSource", Set.of("command"),
                Set.of("command", "shell", "restartThrottle", "restart", "logStdErr", "batchSize", "batchTimeout", "charset"));
        add(Kind.SOURCE, "spooldir", "org.apache.flume.source.SpoolDirectorySource", Set.of("spoolDir"),
                Set.of("spoolDir", "fileSuffix", "deletePolicy", "fileHeader", "fileHeaderKey", "basenameHeader", "basenameHeaderKey",
                        "includePattern", "ignorePattern", "trackerDir", "trackingPolicy", "consumeOrder", "pollDelay",
                        "recursiveDirectorySearch", "maxBackoff", "batchSize", "inputCharset", "decodeErrorPolicy", "deserializer",
                        "deserializer.*", "bufferMaxLines", "bufferMaxLineLength"));
        add(Kind.SOURCE, "taildir", "org.apache.flume.source.taildir.TaildirSource", Set.of("filegroups", "positionFile"),
                Set.of("filegroups", "filegroups.*", "positionFile", "headers.*", "byteOffsetHeader", "skipToEnd", "idleTimeout",
                        "writePosInterval", "batchSize", "maxBatchCount", "backoffSleepIncrement", "maxBackoffSleep", "cachePatternMatching",
                        "fileHeader", "fileHeaderKey"));
        add(Kind.SOURCE, "http", "org.apache.flume.source.http.HTTPSource", Set.of("port"),
                Set.of("port", "bind", "handler", "handler.*", "enableSSL", "ssl", "keystore", "keystorePassword", "keystore-password",
                        "keystoreType", "exclude-protocols", "QueuedThreadPool.*", "HttpConfiguration.*", "SslContextFactory.*", "ServerConnector.*"));
        add(Kind.SOURCE, "syslogtcp", "org.apache.flume.source.SyslogTcpSource", Set.of("port"),
                Set.of("port", "host", "eventSize", "keepFields", "clientIPHeader", "clientHostnameHeader", "ssl", "keystore",
                        "keystore-password", "keystore-type"));
        add(Kind.SOURCE, "multiport_syslogtcp", "org.apache.flume.source.MultiportSyslogTCPSource", Set.of("ports"),
                Set.of("ports", "host", "eventSize", "keepFields", "portHeader", "charset.default", "charset.port.*", "batchSize",
                        "readBufferSize", "numProcessors", "clientIPHeader", "clientHostnameHeader", "ssl", "keystore", "keystore-password"));
        add(Kind.SOURCE, "syslogudp", "org.apache.flume.source.SyslogUDPSource", Set.of("port"),
                Set.of("port", "host", "keepFields", "clientIPHeader", "clientHostnameHeader"));
        add(Kind.SOURCE, "netcat", "org.apache.flume.source.NetcatSource", Set.of("bind", "port"),
                Set.of("bind", "port", "max-line-length", "ack-every-event"));
        add(Kind.SOURCE, "netcatudp", "org.apache.flume.source.NetcatUdpSource", Set.of("bind", "port"), Set.of("bind", "port", "remoteAddressHeader"));
        add(Kind.SOURCE, "seq", "org.apache.flume.source.SequenceGeneratorSource", Set.of(), Set.of("totalEvents", "batchSize"));
        add(Kind.SOURCE, null, "org.apache.flume.source.kafka.KafkaSource", Set.of("kafka.bootstrap.servers"),
                union(KAFKA_SSL, Set.of("kafka.bootstrap.servers", "kafka.topics", "kafka.topics.regex", "kafka.consumer.group.id",
                        "batchSize", "batchDurationMillis", "backoffSleepIncrement", "maxBackoffSleep", "useFlumeEventFormat",
                        "setTopicHeader", "topicHeader", "migrateZookeeperOffsets", "header.*", "timestampHeader")));

        // ---- channels ----
        add(Kind.CHANNEL, "memory", "org.apache.flume.channel.MemoryChannel", Set.of(),
                Set.of("capacity", "transactionCapacity", "keep-alive", "byteCapacity", "byteCapacityBufferPercentage"));
        add(Kind.CHANNEL, "file", "org.apache.flume.channel.file.FileChannel", Set.of(),
                Set.of("checkpointDir", "dataDirs", "useDualCheckpoints", "backupCheckpointDir", "transactionCapacity",
                        "checkpointInterval", "maxFileSize", "minimumRequiredSpace", "capacity", "keep-alive", "use-log-replay-v1",
                        "use-fast-replay", "checkpointOnClose", "encryption.*", "fsyncPerTransaction", "fsyncInterval"));
        add(Kind.CHANNEL, "spillablememory", "org.apache.flume.channel.SpillableMemoryChannel", Set.of(),
                Set.of("memoryCapacity", "overflowCapacity", "overflowTimeout", "byteCapacityBufferPercentage", "byteCapacity",
                        "avgEventSize", "transactionCapacity", "checkpointDir", "dataDirs", "keep-alive", "capacity"));
        add(Kind.CHANNEL, "jdbc", "org.apache.flume.channel.jdbc.JdbcChannel", Set.of(), Set.of("db.*", "driver.*", "maximum.*",
                "sysprop.*", "create.*", "transaction.*", "connection.*"));
        add(Kind.CHANNEL, null, "org.apache.flume.channel.kafka.KafkaChannel", Set.of("kafka.bootstrap.servers"),
                union(KAFKA_SSL, Set.of("kafka.bootstrap.servers", "kafka.topic", "kafka.consumer.group.id", "parseAsFlumeEvent",
                        "pollTimeout", "defaultPartitionId", "partitionIdHeader", "migrateZookeeperOffsets")));

        // ---- sinks ----
        add(Kind.SINK, "null", "org.apache.flume.sink.NullSink", Set.of(), Set.of("batchSize"));
        add(Kind.SINK, "logger", "org.apache.flume.sink.LoggerSink", Set.of(), Set.of("maxBytesToLog"));
        add(Kind.SINK, "avro", "org.apache.flume.sink.AvroSink", Set.of("hostname", "port"),
                Set.of("hostname", "port", "batch-size", "connect-timeout", "request-timeout", "reset-connection-interval",
                        "compression-type", "compression-level", "ssl", "trust-all-certs", "truststore", "truststore-password",
                        "truststore-type", "exclude-protocols", "maxIoWorkers"));
        add(Kind.SINK, "thrift", "org.apache.flume.sink.ThriftSink", Set.of("hostname", "port"),
                Set.of("hostname", "port", "batch-size", "connect-timeout", "request-timeout", "connection-reset-interval", "ssl",
                        "truststore", "truststore-password", "truststore-type", "kerberos", "client-principal", "client-keytab", "server-principal"));
        add(Kind.SINK, "file_roll", "org.apache.flume.sink.RollingFileSink", Set.of("sink.directory"),
                Set.of("sink.directory", "sink.pathManager", "sink.pathManager.*", "sink.rollInterval", "sink.serializer",
                        "sink.serializer.*", "sink.batchSize", "batchSize"));
        add(Kind.SINK, "hdfs", "org.apache.flume.sink.hdfs.HDFSEventSink", Set.of("hdfs.path"),
                Set.of("hdfs.path", "hdfs.filePrefix", "hdfs.fileSuffix", "hdfs.inUsePrefix", "hdfs.inUseSuffix", "hdfs.emptyInUseSuffix",
                        "hdfs.rollInterval", "hdfs.rollSize", "hdfs.rollCount", "hdfs.idleTimeout", "hdfs.batchSize", "hdfs.codeC",
                        "hdfs.fileType", "hdfs.maxOpenFiles", "hdfs.minBlockReplicas", "hdfs.writeFormat", "hdfs.threadsPoolSize",
                        "hdfs.rollTimerPoolSize", "hdfs.kerberosPrincipal", "hdfs.kerberosKeytab", "hdfs.proxyUser", "hdfs.round",
                        "hdfs.roundValue", "hdfs.roundUnit", "hdfs.timeZone", "hdfs.useLocalTimeStamp", "hdfs.closeTries",
                        "hdfs.retryInterval", "hdfs.callTimeout", "serializer", "serializer.*"));
        add(Kind.SINK, "hbase2", "org.apache.flume.sink.hbase2.HBase2Sink", Set.of("table", "columnFamily"),
                Set.of("table", "columnFamily", "zookeeperQuorum", "znodeParent", "batchSize", "coalesceIncrements", "serializer",
                        "serializer.*", "kerberosPrincipal", "kerberosKeytab"));
        add(Kind.SINK, "irc", "org.apache.flume.sink.irc.IRCSink", Set.of("hostname", "nick", "chan"),
                Set.of("hostname", "port", "nick", "password", "user", "name", "chan", "splitlines", "splitchars"));
        add(Kind.SINK, "http", "org.apache.flume.sink.http.HttpSink", Set.of("endpoint"),
                Set.of("endpoint", "connectTimeout", "requestTimeout", "contentTypeHeader", "acceptHeader", "defaultBackoff",
                        "defaultRollback", "defaultIncrementMetrics", "backoff.*", "rollback.*", "incrementMetrics.*"));
        add(Kind.SINK, null, "org.apache.flume.sink.kafka.KafkaSink", Set.of("kafka.bootstrap.servers"),
                union(KAFKA_SSL, Set.of("kafka.bootstrap.servers", "kafka.topic", "flumeBatchSize", "useFlumeEventFormat",
                        "defaultPartitionId", "partitionIdHeader", "allowTopicOverride", "topicHeader", "header.*", "timestampHeader")));
        add(Kind.SINK, null, "dev.sluice.solr.SolrSink", Set.of("solrUrls", "collection"),
                union(Set.of("solrUrls", "collection", "format", "batchSize", "commitWithinMs", "retry.initialBackoffMs", "retry.maxBackoffMs",
                        "retry.deadlineMs", "requestTimeoutMs", "maxFieldBytes", "maxRecordBytes", "onRejected", "dlq.topic",
                        "dlq.bootstrap.servers", "dlq.producer.*"), SolrClientSecurity.KEYS));

        // ---- interceptors (Sluice's; Flume's own by alias) ----
        add(Kind.INTERCEPTOR, null, "dev.sluice.interceptors.ValidateInterceptor$Builder", Set.of(),
                Set.of("requiredFields", "maxBodyBytes", "name"));
        add(Kind.INTERCEPTOR, null, "dev.sluice.interceptors.IdentifyInterceptor$Builder", Set.of("keyField"),
                Set.of("keyField", "eventTimeField", "idField", "keyHeader", "name"));
        add(Kind.INTERCEPTOR, null, "dev.sluice.interceptors.EnrichInterceptor$Builder", Set.of("table"),
                Set.of("zookeeperQuorum", "znodeParent", "table", "cacheMaxSize", "cacheTtlSeconds", "negativeTtlSeconds",
                        "onUnavailable", "hbaseTimeoutMs", "name"));
        add(Kind.INTERCEPTOR, null, "dev.sluice.interceptors.AlertInterceptor$Builder", Set.of("rules"), Set.of("rules", "name"));
        for (String alias : List.of("timestamp", "host", "static", "regex_filter", "regex_extractor", "search_replace",
                "remove_header", "uuid", "morphline")) {
            BY_NAME.put(Kind.INTERCEPTOR + ":" + alias, new Type(Kind.INTERCEPTOR, alias, null, Set.of(), Set.of("*")));
        }
    }

    private ComponentTypes() {
    }

    /** The known type for a {@code type} value (alias, case-insensitive, or class name). */
    static Optional<Type> find(Kind kind, String typeValue) {
        Type type = BY_NAME.get(kind + ":" + typeValue);
        return Optional.ofNullable(type != null ? type : BY_NAME.get(kind + ":" + typeValue.toLowerCase(Locale.ROOT)));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
