package dev.sluice.cli;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.common.HBaseClientJvm;
import dev.sluice.common.security.KafkaClientSecurity;
import dev.sluice.common.security.SettingsFile;
import dev.sluice.flumeconf.FlumeSecurity;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.ProcessMemory;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.StackException;
import dev.sluice.stack.security.StackSecurity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice flume run|stop|status}: real Flume 1.11 agents in their own JVMs, with exactly
 * Flume's jars plus Sluice's plugin jar, the stack's endpoints as {@code SLUICE_*} environment
 * variables (for {@code ${VAR}} placeholders in the agent configuration) and Flume's HTTP metrics
 * on a free port. Agents belong to the stack's work directory: {@code sluice stack down} stops them too.
 */
@Command(name = "flume", mixinStandardHelpOptions = true,
        description = "Run Flume agents with Sluice's plugins against the local stack.",
        subcommands = {FlumeCommand.Run.class, FlumeCommand.Stop.class, FlumeCommand.Status.class, FlumeCommand.Validate.class})
final class FlumeCommand {

    static final String AGENT_MARKER = "-Dsluice.flume.agent=";

    @Option(names = "--work-dir", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The stack's work directory; agents keep their state and logs in <work-dir>/flume/<agent>.")
    Path workDir;

    Path workDir() {
        return workDir != null ? workDir.toAbsolutePath().normalize() : LocalStack.defaultWorkDir();
    }

    static Path agentDir(Path workDir, String name) {
        return workDir.resolve("flume").resolve(name);
    }

    /** Live agents of this work directory, by name. */
    static Map<String, ProcessHandle> agents(Path workDir) {
        Map<String, ProcessHandle> agents = new LinkedHashMap<>();
        for (ProcessHandle process : LocalStack.processesOf(workDir)) {
            process.info().arguments().flatMap(args -> Arrays.stream(args).filter(a -> a.startsWith(AGENT_MARKER)).findFirst())
                    .ifPresent(marker -> agents.put(marker.substring(AGENT_MARKER.length()), process));
        }
        return agents;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Start a Flume agent in the background and wait until every source and sink has started.",
                    "The stack's endpoints are set as SLUICE_KAFKA_BOOTSTRAP, SLUICE_ZOOKEEPER, ...; SLUICE_AGENT_DIR is the agent's own",
                    "directory and SLUICE_AGENT_ID its instance id (several instances of one configuration form one consumer group)."})
    static final class Run implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        FlumeCommand parent;
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "CONF", description = "Agent configuration (Flume properties; ${VAR} placeholders allowed).")
        Path config;

        @Option(names = "--name", required = true, description = "Agent name in the configuration (e.g. tier1).")
        String name;

        @Option(names = "--instance", paramLabel = "ID", description = "Instance id, to run several agents of one configuration (default: the agent name).")
        String instance;

        @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Extra environment for ${VAR} placeholders, e.g. --env SLUICE_KEY_FIELD=card_id.")
        Map<String, String> environment = new LinkedHashMap<>();

        @Option(names = "--heap", defaultValue = "256m", description = "Agent heap (default: ${DEFAULT-VALUE}).")
        String heap;

        @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for the agent to start (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--kafka-config", paramLabel = "FILE",
                description = "Kafka client security settings added to every Kafka channel, source and sink (default: the secured stack's 'flume' user).")
        Path kafkaConfig;

        @Option(names = "--solr-config", paramLabel = "FILE",
                description = "Solr client settings added to every Sluice Solr sink (default: the secured stack's).")
        Path solrConfig;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path workDir = parent.workDir();
            if (!Files.isReadable(config)) {
                throw new IllegalArgumentException("cannot read the agent configuration " + config);
            }
            List<String> sources = componentsOf(config, name, "sources");
            List<String> sinks = componentsOf(config, name, "sinks");
            if (sources.isEmpty() && sinks.isEmpty()) {
                throw new IllegalArgumentException(config + " defines no agent '" + name + "' (no '" + name + ".sources' or '" + name + ".sinks' key)");
            }
            String id = instance == null ? name : instance;
            if (agents(workDir).containsKey(id)) {
                throw new StackException("agent '" + id + "' is already running in " + workDir + "; stop it with 'sluice flume stop --name " + id + "'");
            }
            Path dir = agentDir(workDir, id);
            Files.createDirectories(dir);
            Path log = dir.resolve("agent.log");
            int metricsPort = LoopbackPorts.free();

            Map<String, String> env = new LinkedHashMap<>();
            StackEndpoints.read(workDir).ifPresent(endpoints -> endpoints.shellExports().lines().forEach(line -> {
                String assignment = line.substring("export ".length());
                String value = assignment.substring(assignment.indexOf('=') + 1);
                env.put(assignment.substring(0, assignment.indexOf('=')), value.substring(1, value.length() - 1).replace("'\\''", "'"));
            }));
            env.put("SLUICE_AGENT_DIR", dir.toString());
            env.put("SLUICE_AGENT_ID", id);
            env.putAll(environment);

            Path effective = secured(workDir, dir);

            List<Path> classpath = new ArrayList<>(LocalStack.roleClasspath("flume"));
            classpath.add(pluginJar());
            // The classpath goes into an argument file: with it on the command line, the JDK cannot read
            // the process's arguments back (too long), and 'status'/'stop' could not find the agent.
            Path argFile = dir.resolve("jvm.args");
            Files.write(argFile, List.of("-cp", '"' + String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()) + '"'),
                    StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dsluice.stack.dir=" + workDir, AGENT_MARKER + id, "-Xmx" + heap));
            command.addAll(HBaseClientJvm.OPTIONS);
            command.addAll(List.of("-Dflume.monitoring.type=http", "-Dflume.monitoring.port=" + metricsPort,
                    "-DpropertiesImplementation=org.apache.flume.node.EnvVarResolverProperties", "@" + argFile,
                    "org.apache.flume.node.Application", "-f", effective.toAbsolutePath().toString(), "-n", name, "--no-reload-conf"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            Process process = builder.start();
            Files.writeString(dir.resolve("metrics.url"), metricsUrl(metricsPort), StandardCharsets.UTF_8);

            // Running means every source has started (and so is listening) and every sink is taking
            // from its channel, not just that the metrics server answers: Flume drops a component it
            // cannot configure (an unset ${VAR}, a bad port, a sink's invalid key) and runs the rest.
            List<String> expected = new ArrayList<>();
            sources.forEach(source -> expected.add("SOURCE." + source));
            sinks.forEach(sink -> expected.add("SINK." + sink));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            java.util.Set<String> started = java.util.Set.of();
            while (!started.containsAll(expected)) {
                if (!process.isAlive()) {
                    throw new StackException("agent '" + id + "' exited during start with exit code " + process.exitValue() + "; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    java.util.Set<String> running = started;
                    List<String> missing = expected.stream().filter(component -> !running.contains(component))
                            .map(component -> component.toLowerCase(Locale.ROOT).replace('.', ' ')).toList();
                    process.destroyForcibly();
                    throw new StackException("agent '" + id + "': " + String.join(", ", missing) + " did not start within "
                            + timeoutSeconds + " s" + configurationErrors(log) + "; see " + log);
                }
                Thread.sleep(250);
                started = startedNow(metricsPort);
            }
            out.printf(Locale.ROOT, "Agent %s running: pid %d, metrics %s, log %s%n", id, process.pid(), metricsUrl(metricsPort), log);
            return 0;
        }

        /**
         * The configuration the agent runs: the given file, plus the secure-connection settings when
         * --kafka-config/--solr-config are given or the stack is secured (written to the agent's directory).
         */
        private Path secured(Path workDir, Path dir) throws IOException {
            Optional<StackEndpoints> stack = StackEndpoints.read(workDir);
            Optional<Path> kafka = Optional.ofNullable(kafkaConfig).or(() -> stack.flatMap(s -> s.kafkaClientConfig(StackSecurity.KAFKA_FLUME)));
            Optional<Path> solr = Optional.ofNullable(solrConfig).or(() -> stack.flatMap(StackEndpoints::solrClientConfig));
            if (kafka.isEmpty() && solr.isEmpty()) {
                return config;
            }
            Map<String, String> kafkaSettings = kafka.map(f -> SettingsFile.read(f, "--kafka-config")).orElse(Map.of());
            Map<String, String> solrSettings = solr.map(f -> SettingsFile.read(f, "--solr-config")).orElse(Map.of());
            KafkaClientSecurity.check(kafkaSettings, kafka.map(f -> f + ": ").orElse(""));
            Path effective = dir.resolve("agent.properties");
            Files.writeString(effective, FlumeSecurity.secure(Files.readString(config, StandardCharsets.UTF_8), name, kafkaSettings, solrSettings),
                    StandardCharsets.UTF_8);
            return effective;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check an agent configuration before Flume silently drops what it cannot configure: every problem at once,",
                    "with its line. Classes are looked up on Flume's jars plus Sluice's plugin jar. Exit 1 on errors, 0 otherwise (warnings printed)."})
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "CONF", description = "Agent configuration (Flume properties).")
        Path config;

        @Option(names = "--agent", paramLabel = "NAME", description = "Check only this agent (default: every agent in the file).")
        String agent;

        @Override
        public Integer call() throws IOException {
            if (!Files.isReadable(config)) {
                throw new IllegalArgumentException("cannot read the agent configuration " + config);
            }
            List<Path> classpath = new ArrayList<>(LocalStack.roleClasspath("flume"));
            classpath.add(pluginJar());
            List<dev.sluice.flumeconf.Finding> findings = new dev.sluice.flumeconf.FlumeConfigValidator(classpath).validate(config, agent);
            PrintWriter out = spec.commandLine().getOut();
            findings.forEach(f -> out.println(f.format(config.toString())));
            long errors = findings.stream().filter(f -> f.severity() == dev.sluice.flumeconf.Finding.Severity.ERROR).count();
            out.printf(Locale.ROOT, "%s: %d error(s), %d warning(s)%n", config, errors, findings.size() - errors);
            return errors > 0 ? SluiceCli.EXIT_FAILED : 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop an agent (SIGTERM, then SIGKILL after 20 s), or all with --all.")
    static final class Stop implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        FlumeCommand parent;
        @Spec
        CommandSpec spec;

        @Option(names = "--name", description = "The agent to stop: its --instance id, else its name.")
        String name;

        @Option(names = "--all", description = "Stop every agent of the work directory.")
        boolean all;

        @Override
        public Integer call() throws Exception {
            if ((name == null) == !all) {
                throw new IllegalArgumentException("give either --name AGENT or --all");
            }
            Map<String, ProcessHandle> agents = agents(parent.workDir());
            if (name != null && !agents.containsKey(name)) {
                spec.commandLine().getOut().println("No agent '" + name + "' is running in " + parent.workDir() + ".");
                return 0;
            }
            for (Map.Entry<String, ProcessHandle> agent : agents.entrySet()) {
                if (all || agent.getKey().equals(name)) {
                    ProcessHandle process = agent.getValue();
                    process.destroy();
                    // An agent whose broker is gone can hang on shutdown: do not wait for ever.
                    if (!process.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).thenApply(p -> p != null).get()) {
                        process.destroyForcibly();
                    }
                    spec.commandLine().getOut().println("Agent " + agent.getKey() + " stopped.");
                }
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Agents of the work directory: pid, RSS, metrics URL.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        FlumeCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Map<String, ProcessHandle> agents = agents(parent.workDir());
            PrintWriter out = spec.commandLine().getOut();
            if (agents.isEmpty()) {
                out.println("No agent is running in " + parent.workDir() + ".");
                return 0;
            }
            out.printf(Locale.ROOT, "%-12s %-8s %7s  %s%n", "AGENT", "PID", "RSS", "METRICS");
            for (Map.Entry<String, ProcessHandle> agent : agents.entrySet()) {
                Path urlFile = agentDir(parent.workDir(), agent.getKey()).resolve("metrics.url");
                String url = Files.exists(urlFile) ? Files.readString(urlFile) : "-";
                long rss = ProcessMemory.residentBytes(agent.getValue().pid()).orElse(0) >> 20;
                out.printf(Locale.ROOT, "%-12s %-8d %4d MB  %s%n", agent.getKey(), agent.getValue().pid(), rss, url);
            }
            return 0;
        }
    }

    /** The plugin jar this checkout built ({@code sluice.home}/flume-plugin/target). */
    static Path pluginJar() {
        String home = System.getProperty("sluice.home");
        if (home != null) {
            try (var jars = Files.list(Path.of(home, "flume-plugin", "target"))) {
                Optional<Path> jar = jars.filter(p -> p.getFileName().toString().matches("sluice-flume-plugin-.*\\.jar")).findFirst();
                if (jar.isPresent()) {
                    return jar.get();
                }
            } catch (IOException e) {
                // fall through to the error below
            }
        }
        throw new StackException("the Sluice Flume plugin jar was not found under " + home + "/flume-plugin/target: build the project (./mvnw package)");
    }

    private static String metricsUrl(int port) {
        return "http://127.0.0.1:" + port + "/metrics";
    }

    /** The agent's component names of one kind ({@code sources}, {@code sinks}) from its configuration. */
    private static List<String> componentsOf(Path config, String agent, String kind) throws IOException {
        java.util.Properties properties = new java.util.Properties();
        try (var reader = Files.newBufferedReader(config)) {
            properties.load(reader);
        }
        return Arrays.stream(properties.getProperty(agent + "." + kind, "").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** Flume's own words on why it dropped a component, from the agent's log: ": <message>" or nothing. */
    private static String configurationErrors(Path log) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
            List<String> errors = lines.filter(line -> line.contains("ConfigurationException") || line.contains("misconfigured"))
                    .map(line -> line.substring(Math.max(0, line.indexOf("Exception:") >= 0 ? line.indexOf("Exception:") + 10 : 0)).strip())
                    .distinct().limit(5).toList();
            return errors.isEmpty() ? "" : ": " + String.join(" | ", errors);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "";
        }
    }

    /** Components ({@code SOURCE.x}, {@code SINK.y}) whose Flume counter group reports a start time. Empty while the agent is not up. */
    private static java.util.Set<String> startedNow(int metricsPort) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metricsUrl(metricsPort)))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            java.util.Set<String> started = new java.util.HashSet<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).fields().forEachRemaining(component -> {
                if (component.getValue().path("StartTime").asLong() > 0) {
                    started.add(component.getKey());
                }
            });
            return started;
        } catch (IOException e) {
            return java.util.Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Set.of();
        }
    }
}
