package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.packaging.ParcelVerifier;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The parcel and the plugins.d tarball the build wrote, installed the way an operator installs
 * them ({@code tar xzf}, the parcel's env script sourced as Cloudera Manager sources it), each
 * feeding a real Flume 1.11 agent that has only Flume's jars and what the distribution put on its
 * classpath. The agent's validate and identify interceptors must do their job: valid lines become
 * Sluice envelopes keyed by card, the malformed one is routed to the dead-letter channel.
 */
class PluginDistributionsInFlumeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAgentRunsTheInterceptorsFromTheParcelAlone() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "parcel-it-");
        Path parcel = parcelsDir().resolve("SLUICE-" + version() + "-el8.parcel");
        assertThat(ParcelVerifier.verify(parcel, null)).as("the built parcel verifies").isEmpty();

        Path parcelsRoot = Files.createDirectories(work.resolve("parcels"));
        run(parcelsRoot, "tar", "xzf", parcel.toString());
        String classpath = run(parcelsRoot, "bash", "-c", "export PARCELS_ROOT=" + parcelsRoot
                + "; unset FLUME_CLASSPATH; source SLUICE-" + version() + "/meta/sluice_env.sh; printf %s \"$FLUME_CLASSPATH\"");
        assertThat(classpath).isEqualTo(parcelsRoot + "/SLUICE-" + version() + "/lib/*");

        assertInterceptorsWork(work, List.of(Path.of(classpath)));
    }

    @Test
    void anAgentRunsTheInterceptorsFromPluginsD() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "plugins-d-it-");
        Path flumeHome = Files.createDirectories(work.resolve("flume"));
        run(flumeHome, "tar", "xzf", parcelsDir().resolve("sluice-flume-plugins.d-" + version() + ".tar.gz").toString());
        // What bin/flume-ng does with plugins.d: every plugin's lib/ and libext/ on the classpath.
        Path plugin = flumeHome.resolve("plugins.d/sluice");
        assertThat(plugin.resolve("native")).isDirectory();
        assertInterceptorsWork(work, List.of(Path.of(plugin.resolve("lib") + "/*"), Path.of(plugin.resolve("libext") + "/*")));
    }

    private static void assertInterceptorsWork(Path work, List<Path> pluginClasspath) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add("{\"card_id\":\"card-" + i + "\",\"amount\":" + i + "}");
        }
        lines.add("{not json");
        Path input = Files.write(work.resolve("input.jsonl"), lines, StandardCharsets.UTF_8);
        Path events = Files.createDirectories(work.resolve("out-events"));
        Path dead = Files.createDirectories(work.resolve("out-dlq"));
        String config = String.join("\n",
                "agent.sources = lines", "agent.channels = events dlq", "agent.sinks = events dlq",
                "agent.sources.lines.type = exec", "agent.sources.lines.command = cat " + input,
                "agent.sources.lines.channels = events dlq",
                "agent.sources.lines.selector.type = multiplexing", "agent.sources.lines.selector.header = sluice.route",
                "agent.sources.lines.selector.mapping.events = events", "agent.sources.lines.selector.mapping.dlq = dlq",
                "agent.sources.lines.interceptors = validate identify",
                "agent.sources.lines.interceptors.validate.type = dev.sluice.interceptors.ValidateInterceptor$Builder",
                "agent.sources.lines.interceptors.identify.type = dev.sluice.interceptors.IdentifyInterceptor$Builder",
                "agent.sources.lines.interceptors.identify.keyField = card_id",
                "agent.channels.events.type = memory", "agent.channels.dlq.type = memory",
                "agent.sinks.events.type = file_roll", "agent.sinks.events.channel = events",
                "agent.sinks.events.sink.directory = " + events, "agent.sinks.events.sink.rollInterval = 0",
                "agent.sinks.dlq.type = file_roll", "agent.sinks.dlq.channel = dlq",
                "agent.sinks.dlq.sink.directory = " + dead, "agent.sinks.dlq.sink.rollInterval = 0", "");
        try (FlumeAgent agent = FlumeAgent.start(work.resolve("agent"), "agent", config, pluginClasspath)) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(agent.isAlive()).as("agent alive; see %s", agent.log()).isTrue();
                assertThat(linesIn(events)).as("enveloped events; see %s", agent.log()).hasSize(50);
                assertThat(linesIn(dead)).hasSize(1);
            });
        }
        for (String line : linesIn(events)) {
            JsonNode envelope = JSON.readTree(line);
            assertThat(envelope.path("id").asText()).isNotBlank();
            assertThat(envelope.path("key").asText()).isEqualTo(envelope.path("body").path("card_id").asText());
        }
        assertThat(linesIn(dead)).containsExactly("{not json");
    }

    private static List<String> linesIn(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).forEach(lines::add);
            }
        }
        return lines;
    }

    private static Path parcelsDir() {
        return Path.of(System.getProperty("sluice.parcels.dir", "../deploy/target/parcels")).toAbsolutePath().normalize();
    }

    private static String version() {
        return System.getProperty("sluice.version", "0.1.0-SNAPSHOT");
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
        return output;
    }
}
