package dev.sluice.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.kafka.BucketPartitioner;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.util.Bytes;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrInputDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brings the whole stack up once (YARN included), round-trips real data through every service
 * with its own client, and checks that {@code close()} leaves no process behind.
 */
class LocalStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;

    @BeforeAll
    static void startStack() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target"), "local-stack-it-");
        stack = LocalStack.builder().workDir(workDir).services(EnumSet.allOf(Service.class))
                .stopOnExit(true).build();
        endpoints = stack.start();
    }

    @AfterAll
    static void stopStackAndCheckNothingIsLeft() {
        if (stack == null) {
            return;
        }
        stack.close();
        assertThat(LocalStack.processesOf(workDir)).as("processes left after close()").isEmpty();
        assertThat(stack.endpoints()).isEmpty();
    }

    @Test
    void writesEndpointsFileAndShellExportsForEveryService() {
        StackEndpoints fromFile = StackEndpoints.read(workDir).orElseThrow();
        assertThat(fromFile.asMap()).isEqualTo(endpoints.asMap());
        assertThat(fromFile.services()).containsExactlyInAnyOrder(Service.values());
        assertThat(fromFile.shellExports()).contains(
                "export SLUICE_KAFKA_BOOTSTRAP='" + endpoints.kafkaBootstrapServers() + "'",
                "export SLUICE_ZOOKEEPER='" + endpoints.zookeeperConnect() + "'",
                "export SLUICE_SOLR_URL='" + endpoints.solrUrl() + "'",
                "export SLUICE_HDFS_URI='" + endpoints.hdfsUri() + "'",
                "export SLUICE_YARN_RM='" + endpoints.yarnResourceManagerAddress() + "'");
    }

    @Test
    void statusReportsEveryServiceAnsweringWithItsPid() {
        List<ServiceStatus> statuses = stack.status();
        assertThat(statuses).extracting(ServiceStatus::service).containsExactlyInAnyOrder(Service.values());
        assertThat(statuses).allSatisfy(s -> {
            assertThat(s.answering()).as("%s: %s", s.service(), s.detail()).isTrue();
            assertThat(s.pid()).isPresent();
            assertThat(ProcessHandle.of(s.pid().getAsLong())).isPresent();
        });
    }

    /**
     * Every client of the stack is on loopback, where Kafka's fixed 100 KB socket buffers let the kernel prune
     * receive queues and stall on 200 ms retransmission timeouts (docs/decisions.md): the broker must leave
     * its buffers to the kernel.
     */
    @Test
    void kafkaBrokerLeavesSocketBuffersToTheKernel() throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            String brokerId = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().idString();
            org.apache.kafka.common.config.ConfigResource broker =
                    new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, brokerId);
            org.apache.kafka.clients.admin.Config config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
            assertThat(config.get("socket.receive.buffer.bytes").value()).isEqualTo("-1");
            assertThat(config.get("socket.send.buffer.bytes").value()).isEqualTo("-1");
        }
    }

    @Test
    void kafkaRoutesKeyedRecordsByBucketWithAndWithoutSluicePartitioner(TestInfo test) throws Exception {
        String topic = "it-" + test.getTestMethod().orElseThrow().getName().toLowerCase().substring(0, 12);
        int partitions = 12;
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        int perProducer = 500;
        produce(topic, perProducer, "sluice", Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName()));
        produce(topic, perProducer, "plain", Map.of()); // Kafka's default partitioner

        List<ConsumerRecord<String, String>> records = consumeAll(topic, 2 * perProducer);

        Buckets buckets = Buckets.defaults();
        assertThat(records).hasSize(2 * perProducer);
        assertThat(records).allSatisfy(r -> assertThat(r.partition())
                .as("partition of key %s", r.key())
                .isEqualTo(buckets.partitionOfKey(r.key().getBytes(StandardCharsets.UTF_8), partitions)));
        assertThat(records).extracting(ConsumerRecord::value).contains("sluice-0", "plain-" + (perProducer - 1));
    }

    private static void produce(String topic, int count, String prefix, Map<String, Object> extra) throws Exception {
        Map<String, Object> config = new HashMap<>(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "it-" + prefix);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "card-" + (i * 7919 % 100_003), prefix + "-" + i));
            }
            producer.flush();
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAll(String topic, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    void hbasePutsGetsAndScansRows() throws Exception {
        org.apache.hadoop.conf.Configuration conf = org.apache.hadoop.hbase.HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        TableName table = TableName.valueOf("it_round_trip");
        byte[] family = Bytes.toBytes("p");
        try (Connection connection = ConnectionFactory.createConnection(conf); Admin admin = connection.getAdmin()) {
            admin.createTable(TableDescriptorBuilder.newBuilder(table)
                    .setColumnFamily(ColumnFamilyDescriptorBuilder.of(family)).build());
            try (Table t = connection.getTable(table)) {
                List<Put> puts = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    puts.add(new Put(Bytes.toBytes(String.format("row-%03d", i)))
                            .addColumn(family, Bytes.toBytes("n"), Bytes.toBytes(i)));
                }
                t.put(puts);

                Result one = t.get(new Get(Bytes.toBytes("row-042")));
                assertThat(Bytes.toInt(one.getValue(family, Bytes.toBytes("n")))).isEqualTo(42);

                List<Integer> scanned = new ArrayList<>();
                try (ResultScanner scanner = t.getScanner(new Scan().withStartRow(Bytes.toBytes("row-010"))
                        .withStopRow(Bytes.toBytes("row-020")))) {
                    scanner.forEach(r -> scanned.add(Bytes.toInt(r.getValue(family, Bytes.toBytes("n")))));
                }
                assertThat(scanned).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
            }
        }
    }

    @Test
    void solrCloudCreatesACollectionIndexesAndQueries() throws Exception {
        String collection = "it_round_trip";
        // The SolrCloud workflow users have: a CloudSolrClient that finds the nodes through ZooKeeper.
        String zkHost = endpoints.solrZkHost();
        String chroot = zkHost.substring(zkHost.indexOf('/'));
        assertThat(zkHost).isEqualTo(endpoints.zookeeperConnect() + chroot);
        try (CloudSolrClient solr = new CloudSolrClient.Builder(List.of(endpoints.zookeeperConnect()), Optional.of(chroot)).build()) {
            CollectionAdminRequest.createCollection(collection, 1, 1).process(solr);
            Instant base = Instant.parse("2026-11-21T00:00:00Z");
            List<SolrInputDocument> docs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                SolrInputDocument doc = new SolrInputDocument();
                doc.addField("id", "evt-" + i);
                doc.addField("merchant_s", i % 2 == 0 ? "acme" : "globex");
                doc.addField("amount_d", i * 1.5);
                doc.addField("at_dt", Date.from(base.plusSeconds(i * 60L)));
                docs.add(doc);
            }
            solr.add(collection, docs);
            solr.commit(collection);

            assertThat(solr.getById(collection, "evt-7").getFieldValue("merchant_s")).isEqualTo("globex");
            QueryResponse range = solr.query(collection, new SolrQuery("at_dt:[2026-11-21T00:10:00Z TO 2026-11-21T00:19:59Z]"));
            assertThat(range.getResults().getNumFound()).isEqualTo(10);
            QueryResponse facets = solr.query(collection, new SolrQuery("*:*").setRows(0).addFacetField("merchant_s"));
            assertThat(facets.getFacetField("merchant_s").getValues())
                    .extracting(c -> c.getName() + "=" + c.getCount()).containsExactlyInAnyOrder("acme=25", "globex=25");
        }
    }

    @Test
    void hdfsWritesAndReadsAFileThroughTheDataNode() throws Exception {
        String path = "/sluice-it/hello.txt";
        String content = "sluice on hdfs\n".repeat(1000);
        String base = endpoints.hdfsHttpUrl() + "/webhdfs/v1" + path;
        // WebHDFS answers with the DataNode that takes the bytes; the data really goes through it.
        JsonNode create = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "?op=CREATE&overwrite=true&noredirect=true&user.name=sluice"))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), 200));
        send(HttpRequest.newBuilder(URI.create(create.path("Location").asText()))
                .PUT(HttpRequest.BodyPublishers.ofString(content)).build(), 201);

        JsonNode status = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "?op=GETFILESTATUS&user.name=sluice")).GET().build(), 200));
        assertThat(status.path("FileStatus").path("length").asLong()).isEqualTo(content.length());
        assertThat(status.path("FileStatus").path("replication").asInt()).isEqualTo(1);

        JsonNode open = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "?op=OPEN&noredirect=true&user.name=sluice")).GET().build(), 200));
        assertThat(open.path("Location").asText()).contains(":" ); // a DataNode address
        String read = send(HttpRequest.newBuilder(URI.create(open.path("Location").asText())).GET().build(), 200);
        assertThat(read).isEqualTo(content);
    }

    private static String send(HttpRequest request, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", request.method(), request.uri(), response.body()).isEqualTo(expectedStatus);
        return response.body();
    }

    @Test
    void yarnRunsAnApplicationMasterInAContainerToSuccess() throws Exception {
        List<Path> roleClasspath = new ArrayList<>();
        roleClasspath.add(endpoints.clientConfDir());
        roleClasspath.addAll(LocalStack.roleClasspath("hadoop"));
        String classpath = String.join(java.io.File.pathSeparator, roleClasspath.stream().map(Path::toString).toList());
        Path output = workDir.resolve("yarn-smoke.out");
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, "dev.sluice.stack.hadoop.YarnSmokeApplication", classpath, "120")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();

        assertThat(client.waitFor(180, TimeUnit.SECONDS)).as("YARN client finished").isTrue();
        String report = Files.readString(output);
        assertThat(client.exitValue()).as(report).isZero();
        assertThat(report).contains("state=FINISHED finalStatus=SUCCEEDED");
    }
}
