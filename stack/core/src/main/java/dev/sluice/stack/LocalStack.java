package dev.sluice.stack;

import dev.sluice.stack.internal.HBaseDefinition;
import dev.sluice.stack.internal.HdfsDefinition;
import dev.sluice.stack.internal.JavaRuntime;
import dev.sluice.stack.internal.JvmLaunch;
import dev.sluice.stack.internal.KafkaDefinition;
import dev.sluice.stack.internal.Ports;
import dev.sluice.stack.internal.RoleClasspath;
import dev.sluice.stack.internal.ServiceDefinition;
import dev.sluice.stack.internal.ServiceLayout;
import dev.sluice.stack.internal.ServiceProcess;
import dev.sluice.stack.internal.SiteXml;
import dev.sluice.stack.internal.SolrDefinition;
import dev.sluice.stack.internal.YarnDefinition;
import dev.sluice.stack.internal.ZooKeeperDefinition;
import dev.sluice.stack.security.KerberosSettings;
import dev.sluice.stack.security.StackSecurity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The embedded default stack: real Kafka, ZooKeeper, HBase, Solr, HDFS and YARN, each in its own
 * child JVM with its own classpath, on free loopback ports, with all data and logs under one work
 * directory.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().workDir(dir).services(Service.KAFKA, Service.HBASE).build()) {
 *     StackEndpoints endpoints = stack.start();
 *     ... endpoints.kafkaBootstrapServers() ...
 * } // stops every process it started
 * }</pre>
 *
 * <p>Services start in parallel as soon as the services they need are ready; each is ready when a
 * real client round trip succeeds. A failed start stops whatever did start and throws a {@link
 * StackException} naming the service and its log. The services' processes outlive this object
 * unless {@link #close()} or {@link #stop()} is called: that is how {@code sluice stack up} leaves
 * a stack running for other commands, which find it again with {@link #attach(Path)}.
 *
 * <p>Every {@link #start()} begins from empty data directories: the stack is for development and tests,
 * where a known empty state matters more than keeping data across restarts. One service can be
 * stopped and started again with its data ({@link #stop(Service)}, {@link #start(Service)}), to
 * show how the pipeline rides out the outage of one component.
 *
 * <p>Thread-safe: start, stop and status are serialized.
 */
public final class LocalStack implements AutoCloseable {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(300);
    private static final Map<Service, ServiceDefinition> DEFINITIONS = definitions();

    private final Path workDir;
    private final Set<Service> services;
    private final Map<Service, Integer> fixedPorts;
    private final Path javaHome;
    private final Duration startTimeout;
    private final Duration stopGrace;
    private final StackListener listener;
    private final boolean secure;
    private final Optional<KerberosSettings> kerberos;
    private final Map<Service, Duration> startupTimes = new EnumMap<>(Service.class);
    /** The ports and endpoints of the last {@link #start()} by this object: {@link #start(Service)} reuses them. */
    private Map<Service, Map<String, Integer>> startedPorts;
    private Map<String, String> startedEndpoints;
    private Optional<StackSecurity> startedSecurity = Optional.empty();
    private Thread shutdownHook;

    private LocalStack(Builder builder) {
        this.workDir = builder.workDir.toAbsolutePath().normalize();
        this.services = Service.withDependencies(builder.services);
        this.fixedPorts = new EnumMap<>(builder.fixedPorts);
        this.javaHome = builder.javaHome;
        this.startTimeout = builder.startTimeout;
        this.stopGrace = builder.stopGrace;
        this.listener = builder.listener;
        this.secure = builder.secure || builder.kerberos != null;
        this.kerberos = Optional.ofNullable(builder.kerberos);
        if (builder.stopOnExit) {
            shutdownHook = new Thread(this::stop, "local-stack-stop-on-exit");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A handle on whatever stack was brought up in {@code workDir} (by this or another process),
     * for {@link #status()}, {@link #endpoints()} and {@link #stop()}.
     */
    public static LocalStack attach(Path workDir) {
        Path dir = workDir.toAbsolutePath().normalize();
        Set<Service> services = StackEndpoints.read(dir).map(StackEndpoints::services).orElse(EnumSet.noneOf(Service.class));
        return builder().workDir(dir).services(services.isEmpty() ? EnumSet.allOf(Service.class) : services).build();
    }

    /**
     * The work directory commands use when none is given: {@code $SLUICE_STACK_DIR}, else
     * {@code .sluice/stack} under {@code sluice.home} (set by the {@code ./sluice} launcher), else
     * under the user's home.
     */
    public static Path defaultWorkDir() {
        String fromEnv = System.getenv("SLUICE_STACK_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv).toAbsolutePath().normalize();
        }
        String home = System.getProperty("sluice.home", System.getProperty("user.home"));
        return Path.of(home, ".sluice", "stack").toAbsolutePath().normalize();
    }

    /** The classpath a server role runs with: for tools that must speak to a service in its own JVM. */
    public static List<Path> roleClasspath(String role) {
        return RoleClasspath.of(role);
    }

    /** Every live process that belongs to the stack in {@code workDir}, whoever started it. */
    public static List<ProcessHandle> processesOf(Path workDir) {
        return ServiceProcess.findAll(workDir.toAbsolutePath().normalize());
    }

    /**
     * Deletes the directory of a stopped stack (data, configuration, logs), as a fresh start would.
     *
     * @throws StackException if a process of that stack still runs
     */
    public static void deleteStopped(Path workDir) throws IOException {
        List<ProcessHandle> running = processesOf(workDir);
        if (!running.isEmpty()) {
            throw new StackException("the stack in " + workDir + " still runs (" + running.size() + " processes); stop it first");
        }
        deleteRecursively(workDir);
    }

    /** The live process of one of this stack's services, if it runs: for CPU figures and signals. */
    public Optional<ProcessHandle> process(Service service) {
        return ServiceProcess.find(workDir, service);
    }

    public Path workDir() {
        return workDir;
    }

    public Set<Service> services() {
        return EnumSet.copyOf(services);
    }

    /** How long each service took from launch to ready in the last {@link #start()}. */
    public synchronized Map<Service, Duration> startupTimes() {
        return new EnumMap<>(startupTimes);
    }

    /**
     * Starts the services and waits until each one answers.
     *
     * @return where the services answer, also written to {@code <workDir>/endpoints.properties}
     * @throws StackException if the stack is already running in the work directory, a port is
     *     taken, the work directory is not writable, the JDK is too old, or a service does not
     *     become ready; nothing this call started is left running
     */
    public synchronized StackEndpoints start() {
        JavaRuntime.requireSupported(javaHome);
        prepareWorkDir();
        if (isRunning()) {
            throw new StackException("a stack is already running in " + workDir + " (" + runningServices()
                    + "); stop it first with 'sluice stack down'");
        }
        List<ProcessHandle> stale = ServiceProcess.findAll(workDir);
        if (!stale.isEmpty()) {
            listener.cleaningUp(stale.size());
            stale.forEach(p -> ServiceProcess.stop(p, Duration.ofSeconds(5)));
        }
        StackEndpoints.delete(workDir);

        Ports ports = new Ports();
        Map<Service, Map<String, Integer>> assigned = assignPorts(ports);
        Optional<StackSecurity> security = secure ? Optional.of(StackSecurity.generate(workDir, kerberos)) : Optional.empty();
        Map<String, String> endpoints = new LinkedHashMap<>();
        for (Service service : services) {
            endpoints.putAll(DEFINITIONS.get(service).endpoints(assigned.get(service), endpoints, security));
        }
        endpoints.put(StackEndpoints.SERVICES, String.join(",", services.stream().map(Service::id).toList()));
        endpoints.put(StackEndpoints.CLIENT_CONF_DIR, workDir.resolve("client-conf").toString());
        security.ifPresent(s -> endpoints.putAll(securityEndpoints(s)));

        startupTimes.clear();
        ExecutorService executor = Executors.newFixedThreadPool(services.size(), r -> {
            Thread thread = new Thread(r, "local-stack-start");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Map<Service, CompletableFuture<Void>> started = new EnumMap<>(Service.class);
            for (Service service : services) { // enum order puts dependencies first
                CompletableFuture<?>[] dependencies = service.dependencies().stream().map(started::get)
                        .toArray(CompletableFuture[]::new);
                started.put(service, CompletableFuture.allOf(dependencies).thenRunAsync(
                        () -> startService(service, assigned.get(service), endpoints, security, true), executor));
            }
            awaitAll(started);
            writeClientConf(endpoints);
            StackEndpoints result = new StackEndpoints(workDir, endpoints);
            result.write();
            startedPorts = assigned;
            startedEndpoints = endpoints;
            startedSecurity = security;
            return result;
        } catch (RuntimeException e) {
            stop();
            throw e;
        } finally {
            executor.shutdownNow();
        }
    }

    /** Client configuration files of a secured stack, written now so that readiness checks can use them. */
    private Map<String, String> securityEndpoints(StackSecurity security) {
        Map<String, Path> files = security.writeClientConf(workDir.resolve("client-conf"));
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put(StackEndpoints.SECURITY_DIR, security.dir().toString());
        endpoints.put(StackEndpoints.CA_PEM, security.caPem().toString());
        if (services.contains(Service.KAFKA)) {
            endpoints.put(StackEndpoints.KAFKA_CLIENT_CONFIG, files.get("kafka." + StackSecurity.KAFKA_ADMIN).toString());
            StackSecurity.KAFKA_USERS.stream().filter(user -> !user.equals(StackSecurity.KAFKA_ADMIN)).forEach(user ->
                    endpoints.put(StackEndpoints.KAFKA_CLIENT_CONFIG + "." + user, files.get("kafka." + user).toString()));
        }
        if (services.contains(Service.SOLR)) {
            endpoints.put(StackEndpoints.SOLR_CLIENT_CONFIG, files.get("solr").toString());
        }
        return endpoints;
    }

    private void awaitAll(Map<Service, CompletableFuture<Void>> started) {
        StackException first = null;
        for (Map.Entry<Service, CompletableFuture<Void>> entry : started.entrySet()) {
            try {
                entry.getValue().join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (first == null) {
                    first = cause instanceof StackException se ? se
                            : new StackException(entry.getKey() + " failed to start: " + cause, cause);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private Map<Service, Map<String, Integer>> assignPorts(Ports ports) {
        Map<Service, Map<String, Integer>> assigned = new EnumMap<>(Service.class);
        // Claim the ports the user asked for first, so a taken one fails before anything starts.
        for (Map.Entry<Service, Integer> fixed : fixedPorts.entrySet()) {
            if (services.contains(fixed.getKey())) {
                ports.claim(fixed.getValue(), fixed.getKey().id());
            }
        }
        for (Service service : services) {
            Map<String, Integer> servicePorts = new LinkedHashMap<>();
            List<String> names = DEFINITIONS.get(service).portNames();
            for (int i = 0; i < names.size(); i++) {
                boolean fixed = i == 0 && fixedPorts.containsKey(service);
                servicePorts.put(names.get(i), fixed ? fixedPorts.get(service) : ports.free());
            }
            assigned.put(service, servicePorts);
        }
        return assigned;
    }

    /**
     * Stops one service of the stack this object started (SIGTERM, then SIGKILL after the grace
     * period), keeping its data, ports and log, so that {@link #start(Service)} brings it back as
     * it was: an outage of one component, as tests of the pipeline's fault tolerance need.
     *
     * @return whether the service had to be killed
     * @throws StackException if the service is not part of this stack or not running
     */
    public synchronized boolean stop(Service service) {
        requireStartedHere(service);
        ProcessHandle process = ServiceProcess.find(workDir, service)
                .orElseThrow(() -> new StackException(service + " is not running in " + workDir));
        return stopOne(service, process);
    }

    /**
     * Starts again a service that {@link #stop(Service)} stopped (or that died), on the same ports
     * and with the data it had, and waits until it answers. Clients keep their endpoints.
     *
     * @throws StackException if the service is still running, or does not become ready
     */
    public synchronized void start(Service service) {
        requireStartedHere(service);
        if (ServiceProcess.find(workDir, service).isPresent()) {
            throw new StackException(service + " is already running in " + workDir);
        }
        startService(service, startedPorts.get(service), startedEndpoints, startedSecurity, false);
    }

    private void requireStartedHere(Service service) {
        if (startedPorts == null) {
            throw new StackException("only a stack started by this LocalStack can stop or start one service; start it first");
        }
        if (!services.contains(service)) {
            throw new StackException(service + " is not part of this stack (" + services + ")");
        }
    }

    /** Launches one service and waits until it answers; {@code fresh} empties its directory and log first. */
    private void startService(Service service, Map<String, Integer> ports, Map<String, String> endpoints,
                              Optional<StackSecurity> security, boolean fresh) {
        ServiceDefinition definition = DEFINITIONS.get(service);
        ServiceLayout layout = new ServiceLayout(workDir, service);
        listener.starting(service);
        long began = System.nanoTime();
        Process process;
        try {
            if (fresh) {
                deleteRecursively(layout.home());
                Files.deleteIfExists(layout.log());
            }
            Files.createDirectories(layout.conf());
            Files.createDirectories(layout.data());
            Files.createDirectories(layout.tmp());
            JvmLaunch launch = definition.prepare(layout, ports, endpoints, security);
            process = ServiceProcess.launch(layout, javaHome, RoleClasspath.of(service.role()), launch);
        } catch (IOException e) {
            throw new StackException("cannot launch " + service + ": " + e.getMessage() + "; see " + layout.log(), e);
        }
        long deadline = began + startTimeout.toNanos();
        String lastProblem = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new StackException(service + " exited during start" + exitCode(process) + "; see "
                        + layout.log() + lastLogLine(layout.log()));
            }
            try {
                String detail = definition.probe(endpoints);
                Duration took = Duration.ofNanos(System.nanoTime() - began);
                synchronized (startupTimes) {
                    startupTimes.put(service, took);
                }
                listener.ready(service, took, detail);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + service);
            } catch (Exception e) {
                lastProblem = oneLine(e);
            }
            if (System.nanoTime() > deadline) {
                throw new StackException(service + " did not become ready within " + startTimeout.toSeconds()
                        + " s (last check: " + lastProblem + "); see " + layout.log());
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + service);
            }
        }
    }

    /** Whether every service of the stack in the work directory is up (its process alive). */
    public synchronized boolean isRunning() {
        Optional<StackEndpoints> endpoints = StackEndpoints.read(workDir);
        return endpoints.isPresent() && !endpoints.get().services().isEmpty()
                && endpoints.get().services().stream().allMatch(s -> ServiceProcess.find(workDir, s).isPresent());
    }

    private String runningServices() {
        return String.join(", ", Stream.of(Service.values())
                .filter(s -> ServiceProcess.find(workDir, s).isPresent()).map(Service::id).toList());
    }

    /** The endpoints of the stack in the work directory, if it was brought up. */
    public Optional<StackEndpoints> endpoints() {
        return StackEndpoints.read(workDir);
    }

    /**
     * For each service of the stack: whether its process lives and whether it answers a readiness
     * check now. A service that died is reported with the path of its log.
     */
    public synchronized List<ServiceStatus> status() {
        Optional<StackEndpoints> endpoints = StackEndpoints.read(workDir);
        Set<Service> known = endpoints.map(StackEndpoints::services).orElse(EnumSet.noneOf(Service.class));
        List<ServiceStatus> statuses = new ArrayList<>();
        for (Service service : Service.values()) {
            ServiceLayout layout = new ServiceLayout(workDir, service);
            Optional<ProcessHandle> process = ServiceProcess.find(workDir, service);
            if (!known.contains(service) && process.isEmpty()) {
                continue;
            }
            if (process.isEmpty()) {
                statuses.add(new ServiceStatus(service, OptionalLong.empty(), false,
                        "not running (died?); see " + layout.log() + lastLogLine(layout.log()), layout.log()));
                continue;
            }
            OptionalLong pid = OptionalLong.of(process.get().pid());
            if (endpoints.isEmpty()) {
                statuses.add(new ServiceStatus(service, pid, false, "running, but the stack never became ready", layout.log()));
                continue;
            }
            try {
                String detail = DEFINITIONS.get(service).probe(endpoints.get().asMap());
                statuses.add(new ServiceStatus(service, pid, true, detail, layout.log()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                statuses.add(new ServiceStatus(service, pid, false, "interrupted", layout.log()));
            } catch (Exception e) {
                statuses.add(new ServiceStatus(service, pid, false, "not answering: " + oneLine(e), layout.log()));
            }
        }
        return statuses;
    }

    /**
     * Stops every process of the stack in the work directory, whoever started it: the services
     * that use ZooKeeper and the independent ones in parallel (SIGTERM, then SIGKILL after the
     * grace period), ZooKeeper last, then any straggler. Leaves data and logs for a post-mortem.
     * Idempotent.
     */
    public synchronized void stop() {
        List<Thread> stoppers = new ArrayList<>();
        for (Service service : Service.values()) {
            if (service != Service.ZOOKEEPER) {
                ServiceProcess.find(workDir, service).ifPresent(p -> {
                    Thread thread = new Thread(() -> stopOne(service, p), "local-stack-stop-" + service.id());
                    thread.start();
                    stoppers.add(thread);
                });
            }
        }
        for (Thread thread : stoppers) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ServiceProcess.find(workDir, Service.ZOOKEEPER).ifPresent(p -> stopOne(Service.ZOOKEEPER, p));
        ServiceProcess.findAll(workDir).forEach(p -> ServiceProcess.stop(p, Duration.ZERO));
        for (Service service : Service.values()) {
            try {
                Files.deleteIfExists(new ServiceLayout(workDir, service).pidFile());
            } catch (IOException e) {
                // A pid file left behind is harmless: processes are found by their markers.
            }
        }
        StackEndpoints.delete(workDir);
    }

    /** @return whether the process had to be killed */
    private boolean stopOne(Service service, ProcessHandle process) {
        long began = System.nanoTime();
        boolean killed = ServiceProcess.stop(process, stopGrace);
        listener.stopped(service, Duration.ofNanos(System.nanoTime() - began), killed);
        return killed;
    }

    /** Stops the stack (see {@link #stop()}). */
    @Override
    public void close() {
        stop();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running or has run.
            }
            shutdownHook = null;
        }
    }

    private void prepareWorkDir() {
        try {
            Files.createDirectories(workDir.resolve("logs"));
            Path probe = Files.createTempFile(workDir, ".writable", ".tmp");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new StackException("work directory " + workDir + " is not writable (permission denied on "
                    + e.getFile() + ")", e);
        } catch (FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new StackException("work directory " + workDir + " is not usable: " + reason + " (" + e.getFile() + ")", e);
        } catch (IOException e) {
            throw new StackException("work directory " + workDir + " is not usable: " + e.getMessage(), e);
        }
    }

    private void writeClientConf(Map<String, String> endpoints) {
        Path dir = workDir.resolve("client-conf");
        try {
            Files.createDirectories(dir);
            if (services.contains(Service.HBASE)) {
                String zk = endpoints.get(StackEndpoints.HBASE_ZOOKEEPER_QUORUM);
                SiteXml.write(dir.resolve("hbase-site.xml"), Map.of(
                        "hbase.zookeeper.quorum", zk.substring(0, zk.lastIndexOf(':')),
                        "hbase.zookeeper.property.clientPort", zk.substring(zk.lastIndexOf(':') + 1),
                        "zookeeper.znode.parent", endpoints.get(StackEndpoints.HBASE_ZNODE_PARENT)));
            }
            if (services.contains(Service.HDFS)) {
                SiteXml.write(dir.resolve("core-site.xml"), Map.of("fs.defaultFS", endpoints.get(StackEndpoints.HDFS_URI)));
                SiteXml.write(dir.resolve("hdfs-site.xml"), Map.of("dfs.replication", "1",
                        "dfs.client.use.datanode.hostname", "false"));
            }
            if (services.contains(Service.YARN)) {
                Files.copy(new ServiceLayout(workDir, Service.YARN).conf().resolve("yarn-site.xml"),
                        dir.resolve("yarn-site.xml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new StackException("cannot write client configuration to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String exitCode(Process process) {
        return " with exit code " + process.exitValue();
    }

    private static String lastLogLine(Path log) {
        try {
            if (!Files.isRegularFile(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).strip();
                if (line.contains("ERROR") || line.contains("Exception") || line.startsWith("Caused by")) {
                    return " (" + (line.length() > 300 ? line.substring(0, 300) + "…" : line) + ")";
                }
            }
            return "";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replace('\n', ' ');
        return message.length() > 300 ? message.substring(0, 300) + "…" : message;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Map<Service, ServiceDefinition> definitions() {
        Map<Service, ServiceDefinition> map = new EnumMap<>(Service.class);
        for (ServiceDefinition d : List.of(new ZooKeeperDefinition(), new KafkaDefinition(), new HBaseDefinition(),
                new SolrDefinition(), new HdfsDefinition(), new YarnDefinition())) {
            map.put(d.service(), d);
        }
        return map;
    }

    /** Chooses the work directory, services, ports and timeouts of a {@link LocalStack}. */
    public static final class Builder {
        private Path workDir = defaultWorkDir();
        private Set<Service> services = Service.DEFAULTS;
        private final Map<Service, Integer> fixedPorts = new EnumMap<>(Service.class);
        private Path javaHome = Path.of(System.getProperty("java.home"));
        private Duration startTimeout = Duration.ofSeconds(180);
        private Duration stopGrace = Duration.ofSeconds(30);
        private StackListener listener = StackListener.NONE;
        private boolean stopOnExit;
        private boolean secure;
        private KerberosSettings kerberos;

        private Builder() {
        }

        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        /** The services to run; the ones they depend on are added. Default: {@link Service#DEFAULTS}. */
        public Builder services(Set<Service> services) {
            this.services = EnumSet.copyOf(services);
            return this;
        }

        public Builder services(Service first, Service... rest) {
            return services(EnumSet.of(first, rest));
        }

        /** Runs {@code service} on a fixed main port instead of a free one (Kafka's broker, Solr's HTTP, …). */
        public Builder port(Service service, int port) {
            fixedPorts.put(service, port);
            return this;
        }

        /** The JDK the service JVMs run on. Default: the one running this code. */
        public Builder javaHome(Path javaHome) {
            this.javaHome = javaHome;
            return this;
        }

        /** How long each service may take from launch to ready. Default 180 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** How long a service may take to stop after SIGTERM before it is killed. Default 30 s. */
        public Builder stopGrace(Duration stopGrace) {
            this.stopGrace = stopGrace;
            return this;
        }

        public Builder listener(StackListener listener) {
            this.listener = listener;
            return this;
        }

        /** Stop the stack when this JVM exits (for tests; {@code sluice stack up} leaves it running). */
        public Builder stopOnExit(boolean stopOnExit) {
            this.stopOnExit = stopOnExit;
            return this;
        }

        /**
         * Secured mode: Kafka on SASL_SSL (SCRAM-SHA-512 users, ACLs enforced) and Solr on HTTPS with
         * basic authentication, with a CA, stores and secrets generated under {@code <workDir>/security}
         * and client settings in {@code client-conf/} (see {@link StackSecurity}).
         */
        public Builder secure(boolean secure) {
            this.secure = secure;
            return this;
        }

        /** Secured mode with Kerberos (GSSAPI) enabled on Kafka's listener as well, against the given KDC. */
        public Builder kerberos(KerberosSettings kerberos) {
            this.kerberos = kerberos;
            return this;
        }

        public LocalStack build() {
            return new LocalStack(this);
        }
    }
}
