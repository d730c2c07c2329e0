package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.StackEndpoints;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sluice consumer submit|scale|status|stop} against the stack's real YARN 3.5
 * ResourceManager and NodeManager: the ApplicationMaster runs N consumer instances in containers,
 * restarts a killed one with the same instance id, and scales on request.
 */
class SluiceConsumerOnYarnIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PARTITIONS = 6;

    private static Path workDir;
    private static LocalStack stack;
    private static StackEndpoints endpoints;
    private static String stackDir;

    @BeforeAll
    static void startStack() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "consumer-yarn-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack"))
                .services(EnumSet.of(Service.HBASE, Service.KAFKA, Service.YARN)).stopOnExit(true).build();
        endpoints = stack.start();
        stackDir = workDir.resolve("stack").toString();
        Configuration conf = HBaseConfiguration.create();
        endpoints.hbaseClientSettings().forEach(conf::set);
        try (Connection hbase = ConnectionFactory.createConnection(conf); var admin = hbase.getAdmin()) {
            ProfileTables.initProfiles(admin, TableName.valueOf("profiles"), ProfileSchema.parse("""
                    attributes:
                      segment: string
                    enrich: [segment]
                    """, "test"), Buckets.defaults(), 4, Compression.Algorithm.NONE);
        }
        try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", endpoints.kafkaBootstrapServers()))) {
            kafka.createTopics(List.of(new NewTopic("events.raw", PARTITIONS, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            run("consumer", "stop", "--work-dir", stackDir);
            stack.stop();
        }
    }

    @Test
    void runsRestartsAndScalesInstancesOnYarn() throws Exception {
        CliRun submit = run("consumer", "submit", "--instances", "2", "--work-dir", stackDir, "--set", "group.id=yarn-it");
        assertThat(submit.exitCode()).as(submit.err()).isZero();
        assertThat(submit.out()).contains("submitted application_");

        Path instances = workDir.resolve("stack").resolve("consumer").resolve("instances");
        await("two instances own all partitions", () -> ownsAll(instances, List.of("consumer-0", "consumer-1")));
        long firstPid = status(instances, "consumer-0").orElseThrow().path("pid").asLong();

        ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();
        await("consumer-0 restarted with its id in a new process", () -> status(instances, "consumer-0")
                .map(s -> s.path("pid").asLong() != firstPid && s.path("partitions").size() > 0).orElse(false));
        CliRun status = run("consumer", "status", "--work-dir", stackDir);
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode am = JSON.readTree(status.out());
        assertThat(am.path("instances").has("consumer-0")).as(status.out()).isTrue();
        assertThat(am.path("instances").path("consumer-0").path("restarts").asInt()).as(status.out()).isEqualTo(1);
        assertThat(am.path("desired").asInt()).isEqualTo(2);

        CliRun scale = run("consumer", "scale", "3", "--work-dir", stackDir);
        assertThat(scale.exitCode()).as(scale.err()).isZero();
        await("three instances share the partitions", () -> ownsAll(instances, List.of("consumer-0", "consumer-1", "consumer-2")));

        Set<Long> pids = new HashSet<>();
        for (String id : List.of("consumer-0", "consumer-1", "consumer-2")) {
            pids.add(status(instances, id).orElseThrow().path("pid").asLong());
        }
        CliRun stop = run("consumer", "stop", "--work-dir", stackDir);
        assertThat(stop.exitCode()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("FINISHED");
        await("every instance process has ended", () -> pids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    private static boolean ownsAll(Path dir, List<String> ids) {
        Set<String> partitions = new HashSet<>();
        int total = 0;
        for (String id : ids) {
            Optional<JsonNode> status = status(dir, id);
            if (status.isEmpty() || status.get().path("partitions").size() == 0) {
                return false;
            }
            status.get().path("partitions").fieldNames().forEachRemaining(partitions::add);
            total += status.get().path("partitions").size();
        }
        return partitions.size() == PARTITIONS && total == PARTITIONS;
    }

    /** An instance's live /status (through the port in its status file), if it is up. */
    private static Optional<JsonNode> status(Path dir, String id) {
        try {
            Path file = dir.resolve(id + ".status.json");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            int port = JSON.readTree(file.toFile()).path("metricsPort").asInt();
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return Optional.of(JSON.readTree(body));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(condition);
    }


}
