package dev.sluice.flumeconf;

import dev.sluice.stack.LocalStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FlumeConfigValidatorTest {

    @TempDir
    Path dir;

    private static FlumeConfigValidator validator() throws IOException {
        List<Path> classpath = new ArrayList<>(LocalStack.roleClasspath("flume"));
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("sluice.home", ".."), "flume-plugin", "target"))) {
            jars.filter(p -> p.getFileName().toString().matches("sluice-flume-plugin-.*\\.jar")).forEach(classpath::add);
        }
        return new FlumeConfigValidator(classpath);
    }

    @Test
    void theShippedTier1AndTier2ConfigurationsValidateClean() throws IOException {
        Path conf = Path.of(System.getProperty("sluice.home", ".."), "conf", "flume");
        assertThat(validator().validate(conf.resolve("tier1.properties"), "tier1")).isEmpty();
        assertThat(validator().validate(conf.resolve("tier2.properties"), "tier2")).isEmpty();
    }

    @Test
    void reportsEveryMistakeOfABadConfigurationWithItsLine() throws IOException {
        Path file = Files.write(dir.resolve("bad.properties"), List.of(
                "a.sources = http kafka",                                                   // 1
                "a.channels = mem spare",                                                   // 2
                "a.sinks = out loop orphan",                                                // 3
                "a.sources.http.type = http",                                               // 4: missing port
                "a.sources.http.channels = mem nowhere",                                    // 5: undeclared channel
                "a.sources.http.interceptors = id",                                         // 6
                "a.sources.http.interceptors.id.type = dev.sluice.interceptors.IdentifyInterceptor$Builder", // 7: missing keyField
                "a.sources.http.interceptors.id.keyFeild = card_id",                        // 8: typo
                "a.sources.kafka.type = org.apache.flume.source.kafka.KafkaSource",         // 9: latest trap
                "a.sources.kafka.kafka.bootstrap.servers = k:9092",                         // 10
                "a.sources.kafka.kafka.topics = in",                                        // 11
                "a.sources.kafka.channels = mem",                                           // 12
                "a.channels.mem.type = memory",                                             // 13
                "a.channels.mem.capacity = 100",                                            // 14
                "a.channels.mem.transactionCapacity = 1000",                                // 15: > capacity
                "a.channels.spare.type = memory",                                           // 16: unused channel
                "a.sinks.out.type = hdfs",                                                  // 17: missing hdfs.path
                "a.sinks.out.channel = mem",                                                // 18
                "a.sinks.out.hdfs.batchSise = 10",                                          // 19: typo
                "a.sinks.loop.type = org.apache.flume.sink.kafka.KafkaSink",                // 20: loop
                "a.sinks.loop.kafka.bootstrap.servers = k:9092",                            // 21
                "a.sinks.loop.channel = mem",                                               // 22
                "a.sinks.orphan.type = com.example.NoSuchSink",                             // 23: unknown class, no channel
                "a.sinks.ghost.type = logger",                                              // 24: not listed
                "this line is wrong"));                                                     // 25 (a key without '=' is still a key)

        List<Finding> findings = validator().validate(file, "a");
        List<String> lines = findings.stream().map(f -> f.format("bad.properties")).toList();

        assertThat(lines).contains(
                "bad.properties:4: error: source 'http': missing required key 'port'",
                "bad.properties:5: error: source 'http' writes to channel 'nowhere', which is not listed in a.channels",
                "bad.properties:7: error: source 'http', interceptor 'id': missing required key 'keyField'",
                "bad.properties:8: error: source 'http', interceptor 'id': unknown key 'keyFeild' (did you mean 'keyField'?); Flume ignores it",
                "bad.properties:15: error: channel 'mem': transactionCapacity 1000 > capacity 100",
                "bad.properties:16: warning: channel 'spare' is used by no source and no sink",
                "bad.properties:17: error: sink 'out': missing required key 'hdfs.path'",
                "bad.properties:19: error: sink 'out': unknown key 'hdfs.batchSise' (did you mean 'hdfs.batchSize'?); Flume ignores it",
                "bad.properties:23: error: sink 'orphan': unknown type 'com.example.NoSuchSink' (neither a Flume alias nor a class on the agent's classpath)",
                "bad.properties:24: error: sink 'ghost' is configured but not listed in a.sinks: Flume ignores it");
        assertThat(lines).anyMatch(l -> l.startsWith("bad.properties:9: warning: source 'kafka': auto.offset.reset is 'latest'"));
        assertThat(lines).anyMatch(l -> l.startsWith("bad.properties:20: error: loop: Kafka source 'kafka' sets the 'topic' header"));
        assertThat(lines).anyMatch(l -> l.startsWith("bad.properties:3: error: sink 'orphan' has no 'channel'"));
        assertThat(lines).anyMatch(l -> l.startsWith("bad.properties:25: warning: 'this' belongs to no agent of the file"));
        // 14 mistakes, each reported once: 11 errors, 3 warnings.
        assertThat(findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR)).hasSize(11);
        assertThat(findings.stream().filter(f -> f.severity() == Finding.Severity.WARNING)).hasSize(3);
    }

    @Test
    void sluicePluginsKeysAreChecked() throws IOException {
        Path file = Files.write(dir.resolve("solr.properties"), List.of(
                "a.channels = c", "a.sinks = s",
                "a.channels.c.type = memory",
                "a.sinks.s.type = dev.sluice.solr.SolrSink", "a.sinks.s.channel = c",
                "a.sinks.s.solrUrls = http://h/solr", "a.sinks.s.colection = events", "a.sinks.s.format = xml",
                "a.sinks.s.batchSize = 2000"));
        List<String> lines = validator().validate(file, null).stream().map(f -> f.format("f")).toList();
        assertThat(lines).contains(
                "f:4: error: sink 's': missing required key 'collection'",
                "f:4: error: sink 's': missing 'dlq.bootstrap.servers' (required with onRejected=dlq, the default)",
                "f:7: error: sink 's': unknown key 'colection' (did you mean 'collection'?); Flume ignores it",
                "f:8: error: sink 's': 'format' is 'xml', not one of [alert, event]",
                "f:9: error: sink 's': batchSize 2000 > transactionCapacity 100 of channel 'c'");
    }
}
