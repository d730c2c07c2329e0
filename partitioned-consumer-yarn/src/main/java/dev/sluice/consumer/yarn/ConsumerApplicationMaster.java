package dev.sluice.consumer.yarn;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.NodeReport;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.UpdatedContainer;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.client.api.async.AMRMClientAsync;
import org.apache.hadoop.yarn.client.api.async.NMClientAsync;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps N partitioned-consumer instances running, named {@code consumer-0 .. consumer-(N-1)}.
 *
 * <p>The names are the instances' {@code instance.id}, hence their Kafka static membership and
 * transactional id: a container that dies is replaced by one with the <em>same</em> id, so it gets
 * its partitions back without a group-wide reshuffle and fences any zombie of the old one. Scaling
 * adds the next ids or stops the highest ones.
 *
 * <p>An instance that keeps ending soon after its start is restarted after 1, 2, 4 ... up to 60 s, not in a tight
 * loop. One that exits with bad settings or a missing Kafka permission is not restarted at all: no restart cures
 * those, and every instance shares them, so the application ends FAILED with that instance's exit as its
 * diagnostics ({@code sluice consumer status} prints it).
 *
 * <p>Control is a small HTTP server whose address is registered with the ResourceManager (the
 * application report's host and RPC port): {@code GET /status}, {@code POST /scale?instances=N},
 * {@code POST /stop}.
 *
 * <p>Arguments: {@code <consumer-classpath> <settings-file> <instances> <container-memory-mb> <status-dir>}.
 */
public final class ConsumerApplicationMaster {

    private final String consumerClasspath;
    private final String settingsFile;
    private final int containerMemoryMb;
    private final String statusDir;
    // The whole Container, not only its id: stopping one goes to its NodeManager, which its NodeId names.
    private final Map<String, Container> running = new ConcurrentHashMap<>();
    private final Map<ContainerId, String> idOf = new ConcurrentHashMap<>();
    private final Map<String, Integer> restarts = new ConcurrentHashMap<>();
    private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
    // Restarts in a row of an instance that ended within QUICK_END_MS of its start: they back off.
    private final Map<String, Integer> quickEnds = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delayedRestarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "delayed-restarts");
        thread.setDaemon(true);
        return thread;
    });
    // Why the application ends FAILED; null while nothing a restart cannot cure has happened.
    private volatile String failure;
    private final Deque<String> waitingForContainer = new ArrayDeque<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int desired;
    private AMRMClientAsync<ContainerRequest> resourceManager;
    private NMClientAsync nodeManagers;

    private ConsumerApplicationMaster(String consumerClasspath, String settingsFile, int desired, int containerMemoryMb,
                                      String statusDir) {
        this.consumerClasspath = consumerClasspath;
        this.settingsFile = settingsFile;
        this.desired = desired;
        this.containerMemoryMb = containerMemoryMb;
        this.statusDir = statusDir;
    }

    /**
     * ConsumerMain's exit codes that no restart cures (dev.sluice.consumer.ConsumerMain, not on this module's
     * classpath): the instances share their settings and their Kafka principal, so one instance's is every one's.
     */
    private static final Map<Integer, String> PERMANENT_EXITS = Map.of(2, "bad settings", 3, "a Kafka permission is missing");

    // As the NodeManager words it: "Last 4096 bytes of stderr :", the bytes, a blank line.
    private static final Pattern STDERR_TAIL = Pattern.compile("Last \\d+ bytes of stderr :\\n(.*?)(\\n\\n|$)", Pattern.DOTALL);

    /** An instance that ends sooner than this after its start is restarted after a delay, doubling up to MAX_RESTART_DELAY_MS. */
    static final long QUICK_END_MS = 60_000;
    static final long MAX_RESTART_DELAY_MS = 60_000;

    public static void main(String[] args) throws Exception {
        new ConsumerApplicationMaster(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]).run();
    }

    private void run() throws Exception {
        YarnConfiguration conf = new YarnConfiguration();
        nodeManagers = NMClientAsync.createNMClientAsync(new ContainerEvents());
        nodeManagers.init(conf);
        nodeManagers.start();
        resourceManager = AMRMClientAsync.createAMRMClientAsync(500, new AllocationEvents());
        resourceManager.init(conf);
        resourceManager.start();

        HttpServer control = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        control.createContext("/status", exchange -> respond(exchange, 200, statusJson()));
        control.createContext("/scale", this::scale);
        control.createContext("/stop", exchange -> {
            respond(exchange, 200, "{\"stopping\":true}\n");
            done.countDown();
        });
        control.start();
        String host = InetAddress.getLoopbackAddress().getHostAddress();
        int port = control.getAddress().getPort();
        resourceManager.registerApplicationMaster(host, port, "http://" + host + ":" + port + "/status");

        synchronized (this) {
            for (int i = 0; i < desired; i++) {
                request("consumer-" + i);
            }
        }
        done.await();

        synchronized (this) {
            desired = 0;
            running.values().forEach(this::stop);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (!running.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        delayedRestarts.shutdownNow();
        if (failure == null) {
            resourceManager.unregisterApplicationMaster(FinalApplicationStatus.SUCCEEDED, "stopped on request", null);
        } else {
            resourceManager.unregisterApplicationMaster(FinalApplicationStatus.FAILED, failure, null);
        }
        control.stop(0);
        resourceManager.stop();
        nodeManagers.stop();
    }

    private synchronized void request(String instanceId) {
        waitingForContainer.add(instanceId);
        resourceManager.addContainerRequest(new ContainerRequest(Resource.newInstance(containerMemoryMb, 1), null, null,
                Priority.newInstance(0)));
    }

    /** The container's own last words (the NodeManager quotes the tail of its stderr), else YARN's diagnostics. */
    static String lastWords(String diagnostics) {
        Matcher tail = STDERR_TAIL.matcher(diagnostics);
        return tail.find() && !tail.group(1).isBlank() ? tail.group(1).trim() : diagnostics.trim();
    }

    /** No delay for an instance that had run a while; 1, 2, 4 ... s for one that keeps ending soon after its start. */
    static long restartDelayMs(int quickEndsInARow) {
        return quickEndsInARow == 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 1000L << Math.min(quickEndsInARow - 1, 16));
    }

    private synchronized void restartIfStillWanted(String instanceId) {
        if (done.getCount() > 0 && indexOf(instanceId) < desired && !running.containsKey(instanceId) && !waitingForContainer.contains(instanceId)) {
            request(instanceId);
        }
    }

    private static int indexOf(String instanceId) {
        return Integer.parseInt(instanceId.substring(instanceId.lastIndexOf('-') + 1));
    }

    private void scale(HttpExchange exchange) throws IOException {
        String query = URI.create(exchange.getRequestURI().toString()).getQuery();
        int n;
        try {
            n = Integer.parseInt(query.replaceFirst("^.*instances=(\\d+).*$", "$1"));
        } catch (RuntimeException e) {
            respond(exchange, 400, "{\"error\":\"expected /scale?instances=N\"}\n");
            return;
        }
        if (n < 0 || n > 64) {
            respond(exchange, 400, "{\"error\":\"instances must be between 0 and 64\"}\n");
            return;
        }
        synchronized (this) {
            int previous = desired;
            desired = n;
            for (int i = previous; i < n; i++) {
                String id = "consumer-" + i;
                if (!running.containsKey(id) && !waitingForContainer.contains(id)) {
                    request(id);
                }
            }
            waitingForContainer.removeIf(id -> indexOf(id) >= n);
            running.forEach((id, container) -> {
                if (indexOf(id) >= n) {
                    stop(container);
                }
            });
        }
        respond(exchange, 200, statusJson());
    }

    /** The NodeManager sends the instance SIGTERM (it commits and leaves the group), then SIGKILL after its grace delay. */
    private void stop(Container container) {
        nodeManagers.stopContainerAsync(container.getId(), container.getNodeId());
    }

    private synchronized String statusJson() {
        StringBuilder json = new StringBuilder("{\"desired\":").append(desired).append(",\"instances\":{");
        String separator = "";
        for (Map.Entry<String, Container> entry : new TreeMap<>(running).entrySet()) {
            json.append(separator).append('"').append(entry.getKey()).append("\":{\"container\":\"").append(entry.getValue().getId())
                    .append("\",\"restarts\":").append(restarts.getOrDefault(entry.getKey(), 0)).append('}');
            separator = ",";
        }
        json.append("},\"waiting\":").append(waitingForContainer.size()).append("}\n");
        return json.toString();
    }

    private ContainerLaunchContext launchContext(String instanceId) {
        String logs = ApplicationConstants.LOG_DIR_EXPANSION_VAR;
        String command = ApplicationConstants.Environment.JAVA_HOME.$$() + "/bin/java -Xmx" + (containerMemoryMb * 3 / 4) + "m"
                // As dev.sluice.common.HBaseClientJvm (not on this module's classpath): Unsafe for HBase's Bytes.
                + " --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
                + " -cp " + consumerClasspath + " dev.sluice.consumer.ConsumerMain " + settingsFile
                + " instance.id=" + instanceId + " status.file=" + statusDir + "/" + instanceId + ".status.json"
                + " 1>" + logs + "/stdout 2>" + logs + "/stderr";
        return ContainerLaunchContext.newInstance(Map.of(), Map.of(), List.of(command), null, null, null);
    }

    private final class AllocationEvents extends AMRMClientAsync.AbstractCallbackHandler {

        @Override
        public void onContainersAllocated(List<Container> containers) {
            for (Container container : containers) {
                String instanceId;
                synchronized (ConsumerApplicationMaster.this) {
                    instanceId = waitingForContainer.poll();
                }
                // Every allocation answers one request: remove it so the RM does not hand out another.
                resourceManager.removeContainerRequest(new ContainerRequest(container.getResource(), null, null,
                        container.getPriority()));
                if (instanceId == null) {
                    resourceManager.releaseAssignedContainer(container.getId());
                    continue;
                }
                running.put(instanceId, container);
                startedAt.put(instanceId, System.currentTimeMillis());
                idOf.put(container.getId(), instanceId);
                nodeManagers.startContainerAsync(container, launchContext(instanceId));
            }
        }

        @Override
        public void onContainersCompleted(List<ContainerStatus> statuses) {
            for (ContainerStatus status : statuses) {
                String instanceId = idOf.remove(status.getContainerId());
                if (instanceId == null) {
                    continue;
                }
                running.computeIfPresent(instanceId, (id, container) -> container.getId().equals(status.getContainerId()) ? null : container);
                String why = status.getExitStatus() == ContainerExitStatus.ABORTED ? "aborted" : status.getDiagnostics().trim();
                synchronized (ConsumerApplicationMaster.this) {
                    if (done.getCount() == 0) {
                        continue;
                    }
                    String permanent = PERMANENT_EXITS.get(status.getExitStatus());
                    if (permanent != null) {
                        // Restarting would fail the same way, forever: end the application and say why.
                        failure = "instance " + instanceId + " exited with " + status.getExitStatus() + " (" + permanent + "): "
                                + lastWords(status.getDiagnostics());
                        System.err.println(failure + "; stopping the application");
                        done.countDown();
                        continue;
                    }
                    if (indexOf(instanceId) < desired) {
                        restarts.merge(instanceId, 1, Integer::sum);
                        long ranMs = System.currentTimeMillis() - startedAt.getOrDefault(instanceId, 0L);
                        if (ranMs >= QUICK_END_MS) {
                            quickEnds.remove(instanceId);
                        }
                        long delayMs = restartDelayMs(ranMs < QUICK_END_MS ? quickEnds.merge(instanceId, 1, Integer::sum) : 0);
                        System.err.println("instance " + instanceId + " ended (exit " + status.getExitStatus() + ", " + why
                                + "): restarting it with the same id" + (delayMs == 0 ? "" : " in " + delayMs / 1000 + " s"));
                        if (delayMs == 0) {
                            request(instanceId);
                        } else {
                            delayedRestarts.schedule(() -> restartIfStillWanted(instanceId), delayMs, TimeUnit.MILLISECONDS);
                        }
                    }
                }
            }
        }

        @Override
        public void onContainersUpdated(List<UpdatedContainer> containers) {
        }

        @Override
        public void onShutdownRequest() {
            done.countDown();
        }

        @Override
        public void onNodesUpdated(List<NodeReport> updatedNodes) {
        }

        @Override
        public float getProgress() {
            return 0.5f;
        }

        @Override
        public void onError(Throwable e) {
            System.err.println("ResourceManager error: " + e);
            done.countDown();
        }
    }

    private static final class ContainerEvents extends NMClientAsync.AbstractCallbackHandler {
        @Override public void onContainerStarted(ContainerId id, Map<String, ByteBuffer> response) { }
        @Override public void onContainerStatusReceived(ContainerId id, ContainerStatus status) { }
        @Override public void onContainerStopped(ContainerId id) { }
        @Override public void onStartContainerError(ContainerId id, Throwable t) { System.err.println("start failed " + id + ": " + t); }
        @Override public void onContainerResourceIncreased(ContainerId id, Resource resource) { }
        @Override public void onContainerResourceUpdated(ContainerId id, Resource resource) { }
        @Override public void onGetContainerStatusError(ContainerId id, Throwable t) { }
        @Override public void onIncreaseContainerResourceError(ContainerId id, Throwable t) { }
        @Override public void onUpdateContainerResourceError(ContainerId id, Throwable t) { }
        @Override public void onStopContainerError(ContainerId id, Throwable t) { System.err.println("stop failed " + id + ": " + t); }
    }

    private static void respond(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
