package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.ServiceStatus;
import dev.sluice.stack.StackEndpoints;
import dev.sluice.stack.StackListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code sluice stack up|down|status|env}: the embedded local stack. */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Run the embedded local stack: Kafka, ZooKeeper, HBase, Solr, HDFS (and YARN on request) as local processes.",
        subcommands = {StackCommand.Up.class, StackCommand.Down.class, StackCommand.Status.class, StackCommand.Env.class})
final class StackCommand {

    @Option(names = "--work-dir", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Where the stack keeps data, logs and endpoints.properties (default: $SLUICE_STACK_DIR, else .sluice/stack in the Sluice checkout).")
    Path workDir;

    Path workDir() {
        return workDir != null ? workDir.toAbsolutePath().normalize() : LocalStack.defaultWorkDir();
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Start the stack and wait until every service answers.",
                    "Writes the endpoints to <work-dir>/endpoints.properties; 'sluice stack env' prints them as shell exports."})
    static final class Up implements Callable<Integer> {
        @ParentCommand
        StackCommand parent;
        @Spec
        CommandSpec spec;

        @Option(names = "--services", split = ",", paramLabel = "SERVICE",
                description = "Services to start, comma-separated: zookeeper, kafka, hbase, solr, hdfs, yarn."
                        + " Dependencies are added (hbase and solr need zookeeper). Default: all but yarn.")
        List<String> services;

        @Option(names = "--port", paramLabel = "SERVICE=PORT",
                description = "Run a service on a fixed main port (kafka broker, solr http, zookeeper client, hdfs namenode rpc, yarn rm), e.g. --port kafka=9092. Default: free ports.")
        Map<String, Integer> ports;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
                description = "How long each service may take to become ready (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--secure",
                description = {"Secured mode: Kafka on SASL_SSL (mutual TLS, then SCRAM-SHA-512 users admin, sluice, flume) with ACLs"
                        + " enforced, Solr on HTTPS (mutual TLS) with basic authentication; a local CA, key stores and passwords are generated under"
                        + " <work-dir>/security, client settings in <work-dir>/client-conf (see docs/security.md)."})
        boolean secure;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path workDir = parent.workDir();
            LocalStack.Builder builder = LocalStack.builder().workDir(workDir).services(parseServices(services))
                    .startTimeout(Duration.ofSeconds(timeoutSeconds)).listener(new ConsoleListener(out)).secure(secure);
            if (ports != null) {
                ports.forEach((service, port) -> builder.port(Service.fromId(service), port));
            }
            LocalStack stack = builder.build();
            if (stack.isRunning()) {
                out.println("A stack is already running in " + workDir + ":");
                StackEndpoints.read(workDir).ifPresent(e -> printEndpoints(out, e));
                return 0;
            }
            long began = System.nanoTime();
            out.println("Starting " + String.join(", ", stack.services().stream().map(Service::id).toList()) + " in " + workDir);
            out.flush();
            StackEndpoints endpoints = stack.start();
            out.printf(Locale.ROOT, "Stack ready in %.1f s.%n", (System.nanoTime() - began) / 1e9);
            printEndpoints(out, endpoints);
            out.println("Point other tools at it with:  eval \"$(./sluice stack env)\"   Stop it with:  ./sluice stack down");
            return 0;
        }

        private static Set<Service> parseServices(List<String> names) {
            if (names == null || names.isEmpty()) {
                return Service.DEFAULTS;
            }
            EnumSet<Service> set = EnumSet.noneOf(Service.class);
            names.forEach(n -> set.add(Service.fromId(n)));
            return set;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop every process of the stack (SIGTERM, then SIGKILL after a grace period), ZooKeeper last. Keeps data and logs until the next 'up'.")
    static final class Down implements Callable<Integer> {
        @ParentCommand
        StackCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path workDir = parent.workDir();
            int processes = LocalStack.processesOf(workDir).size();
            if (processes == 0) {
                out.println("No stack is running in " + workDir + ".");
                LocalStack.attach(workDir).stop(); // clears a stale endpoints file
                return 0;
            }
            LocalStack.builder().workDir(workDir).listener(new ConsoleListener(out)).build().stop();
            int left = LocalStack.processesOf(workDir).size();
            if (left > 0) {
                spec.commandLine().getErr().println("sluice: " + left + " process(es) of the stack in " + workDir + " could not be stopped");
                return SluiceCli.EXIT_FAILED;
            }
            out.println("Stack in " + workDir + " stopped.");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show each service: its pid, whether it answers now, and its log.",
                    "Exit code 0 when every service answers, 1 when one does not, 3 when no stack was brought up."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        StackCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path workDir = parent.workDir();
            LocalStack stack = LocalStack.attach(workDir);
            List<ServiceStatus> statuses = stack.status();
            Optional<StackEndpoints> endpoints = stack.endpoints();
            if (statuses.isEmpty()) {
                out.println("No stack in " + workDir + " (start one with: ./sluice stack up)");
                return SluiceCli.EXIT_NO_STACK;
            }
            out.printf(Locale.ROOT, "%-10s %-8s %-8s %7s  %s%n", "SERVICE", "PID", "STATE", "RSS", "DETAIL");
            for (ServiceStatus status : statuses) {
                out.printf(Locale.ROOT, "%-10s %-8s %-8s %7s  %s%n", status.service().id(),
                        status.pid().isPresent() ? Long.toString(status.pid().getAsLong()) : "-",
                        status.answering() ? "up" : status.running() ? "stalled" : "DOWN",
                        status.residentBytes().isPresent() ? status.residentBytes().getAsLong() / (1024 * 1024) + " MB" : "-",
                        status.detail());
            }
            endpoints.ifPresent(e -> {
                out.println();
                printEndpoints(out, e);
            });
            return statuses.stream().allMatch(ServiceStatus::answering) ? 0 : SluiceCli.EXIT_FAILED;
        }
    }

    @Command(name = "env", mixinStandardHelpOptions = true,
            description = {"Print the stack's endpoints as shell export lines:",
                    "SLUICE_KAFKA_BOOTSTRAP, SLUICE_ZOOKEEPER, SLUICE_SOLR_URL, SLUICE_SOLR_ZK, SLUICE_HDFS_URI, SLUICE_HDFS_HTTP, SLUICE_YARN_RM, SLUICE_YARN_WEB, SLUICE_CONF_DIR.",
                    "Use: eval \"$(./sluice stack env)\""})
    static final class Env implements Callable<Integer> {
        @ParentCommand
        StackCommand parent;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Optional<StackEndpoints> endpoints = StackEndpoints.read(parent.workDir());
            if (endpoints.isEmpty()) {
                spec.commandLine().getErr().println("sluice: no stack is up in " + parent.workDir() + " (start one with: ./sluice stack up)");
                return SluiceCli.EXIT_NO_STACK;
            }
            spec.commandLine().getOut().print(endpoints.get().shellExports());
            return 0;
        }
    }

    static void printEndpoints(PrintWriter out, StackEndpoints endpoints) {
        endpoints.asMap().forEach((key, value) -> {
            if (!key.equals(StackEndpoints.SERVICES)) {
                out.printf(Locale.ROOT, "  %-40s %s%n", key, value);
            }
        });
        out.flush();
    }

    /** Prints one line per service as it becomes ready or stops. */
    private record ConsoleListener(PrintWriter out) implements StackListener {
        @Override
        public void ready(Service service, Duration took, String detail) {
            synchronized (out) {
                out.printf(Locale.ROOT, "  %-10s ready in %5.1f s  %s%n", service.id(), took.toMillis() / 1000.0, detail);
                out.flush();
            }
        }

        @Override
        public void stopped(Service service, Duration took, boolean killed) {
            synchronized (out) {
                out.printf(Locale.ROOT, "  %-10s stopped in %4.1f s%s%n", service.id(), took.toMillis() / 1000.0,
                        killed ? " (killed after the grace period)" : "");
                out.flush();
            }
        }

        @Override
        public void cleaningUp(int staleProcesses) {
            synchronized (out) {
                out.println("  cleaning up " + staleProcesses + " process(es) left by an earlier stack");
                out.flush();
            }
        }
    }
}
