package dev.sluice.cli;

import dev.sluice.consumer.ConsumerAcls;
import dev.sluice.consumer.ConsumerMain;
import dev.sluice.consumer.ConsumerSettings;
import dev.sluice.stack.LocalStack;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.security.StackSecurity;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice consumer run|submit|scale|status|stop}: the partitioned consumer, in the
 * foreground or as a YARN application of N instances.
 */
@Command(name = "consumer", mixinStandardHelpOptions = true,
        description = "Run the partitioned enrichment and alerting consumer, here or on YARN.",
        subcommands = {ConsumerCommand.Run.class, ConsumerCommand.Submit.class, ConsumerCommand.Scale.class,
                ConsumerCommand.Status.class, ConsumerCommand.Stop.class, ConsumerCommand.Acls.class})
final class ConsumerCommand {

    /** Settings shared by run and submit: a file, overrides, and the stack's endpoints as defaults. */
    static final class SettingsOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "Consumer settings (properties; see docs/consumer.md).")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting (repeatable).")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Mixin
        Endpoints endpoints;

        /** File, then --set, with the stack's Kafka and HBase endpoints where neither gives them. */
        Map<String, String> resolve() {
            Map<String, String> settings = ConsumerSettings.read(config);
            settings.putAll(overrides);
            if (!settings.containsKey(ConsumerSettings.BOOTSTRAP_SERVERS)) {
                settings.put(ConsumerSettings.BOOTSTRAP_SERVERS, endpoints.kafkaBootstrap());
            }
            if (!settings.containsKey("hbase.zookeeper.quorum")) {
                endpoints.hbaseSettings().forEach(settings::putIfAbsent);
            }
            if (settings.keySet().stream().noneMatch(k -> k.startsWith("kafka.common.security.") || k.startsWith("kafka.common.sasl."))) {
                // The consumer's own Kafka user on a secured stack (or --kafka-config): as kafka.common.* settings.
                endpoints.kafkaClientConfig(StackSecurity.KAFKA_APP).forEach((k, v) -> settings.putIfAbsent("kafka.common." + k, String.valueOf(v)));
            }
            return settings;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run one instance in the foreground until Ctrl-C (exit 2: bad settings; 3: a missing ACL; 4: another process holds its instance id).")
    static final class Run implements Callable<Integer> {
        @Mixin
        SettingsOptions settings;

        @Option(names = "--instance-id", paramLabel = "ID",
                description = "Static group member id: a restart keeps this instance's partitions (and fences its zombie).")
        String instanceId;

        @Override
        public Integer call() {
            Map<String, String> values = settings.resolve();
            if (instanceId != null) {
                values.put(ConsumerSettings.INSTANCE_ID, instanceId);
            }
            Optional<ConsumerSettings> checked = parse(values);
            if (checked.isEmpty()) {
                return EXIT_BAD_SETTINGS;
            }
            // From here this JVM is a consumer instance: its log is the service's, as in a YARN container, not the CLI's.
            ConsumerMain.useServiceLogging();
            return ConsumerMain.run(checked.get());
        }
    }

    @Command(name = "acls", mixinStandardHelpOptions = true,
            description = {"The Kafka ACLs the consumer of these settings needs, and no more (see docs/security.md).",
                    "Prints them; with --apply, grants them as the operator (--kafka-config, else the secured stack's admin)."})
    static final class Acls implements Callable<Integer> {
        @Mixin
        SettingsOptions settings;

        @Option(names = "--principal", paramLabel = "PRINCIPAL", defaultValue = "User:" + StackSecurity.KAFKA_APP,
                description = "The consumer's Kafka principal (default: ${DEFAULT-VALUE}).")
        String principal;

        @Option(names = "--apply", description = "Create the ACLs in Kafka.")
        boolean apply;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, String> values = new LinkedHashMap<>(ConsumerSettings.read(settings.config));
            values.putAll(settings.overrides);
            values.putIfAbsent(ConsumerSettings.BOOTSTRAP_SERVERS, "unused");
            values.putIfAbsent("hbase.zookeeper.quorum", "unused");
            Optional<ConsumerSettings> checked = parse(values);
            if (checked.isEmpty()) {
                return EXIT_BAD_SETTINGS;
            }
            ConsumerSettings parsed = checked.get();
            PrintWriter out = spec.commandLine().getOut();
            List<ConsumerAcls.Right> rights = ConsumerAcls.required(parsed);
            out.println("ACLs for " + principal + " (group " + parsed.groupId() + ", " + parsed.guarantee().name().toLowerCase(java.util.Locale.ROOT) + "):");
            for (ConsumerAcls.Right right : rights) {
                out.println("  ALLOW " + right);
            }
            if (apply) {
                List<AclBinding> bindings = rights.stream().map(r -> r.binding(principal)).toList();
                try (Admin admin = Admin.create(settings.endpoints.kafkaClient(Map.of()))) {
                    admin.createAcls(bindings).all().get(60, TimeUnit.SECONDS);
                    ConsumerAcls.awaitEnforced(admin, bindings, Duration.ofSeconds(30));
                }
                out.println("Granted " + rights.size() + " ACL(s).");
            }
            out.flush();
            return 0;
        }
    }

    /** Exit code of a command whose consumer settings are bad (as {@code ConsumerMain}'s). */
    private static final int EXIT_BAD_SETTINGS = 2;

    /** The settings, or empty after printing every bad key to standard error. */
    private static Optional<ConsumerSettings> parse(Map<String, String> values) {
        try {
            return Optional.of(ConsumerSettings.from(values));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return Optional.empty();
        }
    }

    static Path consumerDir(StackEndpoints stack) {
        return stack.workDir().resolve("consumer");
    }

    static String yarnClasspath(StackEndpoints stack) {
        List<Path> entries = new ArrayList<>();
        entries.add(stack.clientConfDir());
        entries.addAll(LocalStack.roleClasspath("consumer-yarn"));
        return String.join(java.io.File.pathSeparator, entries.stream().map(Path::toString).toList());
    }

    /** Runs the YARN client in its own JVM (Hadoop 3.5's jars); returns its exit code, its output in {@code output}, its errors on {@code err}. */
    static int yarnClient(StackEndpoints stack, List<String> args, StringBuilder output, PrintWriter err) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dlog4j2.level=WARN", "-cp", yarnClasspath(stack), "dev.sluice.consumer.yarn.ConsumerYarnClient"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(process.getInputStream().readAllBytes());
        String errors = new String(process.getErrorStream().readAllBytes());
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            err.println("the YARN client did not finish in 180 s");
            err.flush();
            return 1;
        }
        output.append(out);
        if (process.exitValue() != 0) {
            errors.lines().filter(l -> !l.contains(" WARN ") && !l.contains("log4j")).forEach(err::println);
            err.flush();
        }
        return process.exitValue();
    }

    static String applicationId(StackEndpoints stack) throws IOException {
        Path file = consumerDir(stack).resolve("yarn-application");
        if (!Files.exists(file)) {
            throw new IllegalStateException("no consumer application submitted from " + stack.workDir() + ": run 'sluice consumer submit' first");
        }
        return Files.readString(file).trim();
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Run N instances on YARN (ids consumer-0..N-1); a dead instance is restarted with its id.")
    static final class Submit implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SettingsOptions settings;

        @Option(names = "--instances", required = true, paramLabel = "N", description = "Number of instances.")
        int instances;

        @Option(names = "--container-mb", defaultValue = "640", paramLabel = "MB", description = "Memory per container (default: ${DEFAULT-VALUE}).")
        int containerMb;

        @Override
        public Integer call() throws Exception {
            Map<String, String> values = settings.resolve();
            ConsumerSettings.from(values); // fail here, naming the key, rather than in N containers
            StackEndpoints stack = settings.endpoints.stack();
            Path dir = consumerDir(stack);
            Files.createDirectories(dir.resolve("instances"));
            Path file = dir.resolve("settings.properties");
            Properties properties = new Properties();
            properties.putAll(values);
            try (Writer writer = Files.newBufferedWriter(file)) {
                properties.store(writer, "written by sluice consumer submit");
            }
            StringBuilder out = new StringBuilder();
            int code = yarnClient(stack, List.of("submit", System.getProperty("java.class.path"), file.toString(),
                    Integer.toString(instances), Integer.toString(containerMb), dir.resolve("instances").toString()), out,
                    spec.commandLine().getErr());
            if (code == 0) {
                Files.writeString(dir.resolve("yarn-application"), out.toString().trim() + "\n");
                spec.commandLine().getOut().println("submitted " + out.toString().trim() + " with " + instances + " instance(s); status: sluice consumer status");
            }
            return code;
        }
    }

    /** Options of the commands that talk to a submitted application. */
    static final class AppOptions {
        @Option(names = "--work-dir", paramLabel = "DIR", description = "The local stack's work directory.")
        Path workDir;

        StackEndpoints stack() {
            Path dir = workDir != null ? workDir.toAbsolutePath().normalize() : LocalStack.defaultWorkDir();
            return StackEndpoints.read(dir).orElseThrow(() -> new dev.sluice.stack.StackException("no stack is up in " + dir));
        }
    }

    /** Sends one command to the submitted application's AM through the YARN client and prints its answer. */
    static int controlApplication(CommandSpec spec, StackEndpoints stack, String command, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(command, applicationId(stack)));
        all.addAll(List.of(args));
        StringBuilder out = new StringBuilder();
        int code = yarnClient(stack, all, out, spec.commandLine().getErr());
        spec.commandLine().getOut().print(out);
        spec.commandLine().getOut().flush();
        return code;
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Change the number of instances of the YARN application.")
    static final class Scale implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AppOptions app;

        @Parameters(paramLabel = "N", description = "The new number of instances.")
        int instances;

        @Override
        public Integer call() throws Exception {
            return controlApplication(spec, app.stack(), "scale", Integer.toString(instances));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Instances of the YARN application, as JSON.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AppOptions app;

        @Override
        public Integer call() throws Exception {
            return controlApplication(spec, app.stack(), "status");
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every instance and finish the YARN application.")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AppOptions app;

        @Override
        public Integer call() throws Exception {
            StackEndpoints stack = app.stack();
            int code = controlApplication(spec, stack, "stop");
            if (code == 0) {
                Files.deleteIfExists(consumerDir(stack).resolve("yarn-application"));
            }
            return code;
        }
    }
}
