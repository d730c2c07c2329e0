package dev.sluice.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;
import dev.sluice.stack.StackEndpoints;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** YARN from Hadoop 3.5: a ResourceManager and a NodeManager in one JVM, launching real containers. */
public final class YarnDefinition implements ServiceDefinition {

    @Override
    public Service service() {
        return Service.YARN;
    }

    @Override
    public List<String> portNames() {
        return List.of("rm", "rm-scheduler", "rm-tracker", "rm-admin", "rm-web", "nm", "nm-localizer", "nm-web");
    }

    @Override
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security) {
        return Map.of(StackEndpoints.YARN_RM_ADDRESS, "127.0.0.1:" + ports.get("rm"),
                StackEndpoints.YARN_RM_SCHEDULER_ADDRESS, "127.0.0.1:" + ports.get("rm-scheduler"),
                StackEndpoints.YARN_RM_WEB_URL, "http://127.0.0.1:" + ports.get("rm-web"));
    }

    /** The yarn-site.xml a client (or an ApplicationMaster) needs to reach this ResourceManager. */
    static Map<String, String> clientSite(Map<String, String> endpoints) {
        Map<String, String> site = new LinkedHashMap<>();
        site.put("yarn.resourcemanager.hostname", "127.0.0.1");
        site.put("yarn.resourcemanager.address", endpoints.get(StackEndpoints.YARN_RM_ADDRESS));
        site.put("yarn.resourcemanager.scheduler.address", endpoints.get(StackEndpoints.YARN_RM_SCHEDULER_ADDRESS));
        site.put("yarn.resourcemanager.webapp.address", endpoints.get(StackEndpoints.YARN_RM_WEB_URL).substring("http://".length()));
        return site;
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                             Optional<StackSecurity> security) throws IOException {
        Map<String, String> site = clientSite(endpoints);
        site.put("yarn.resourcemanager.resource-tracker.address", "127.0.0.1:" + ports.get("rm-tracker"));
        site.put("yarn.resourcemanager.admin.address", "127.0.0.1:" + ports.get("rm-admin"));
        site.put("yarn.resourcemanager.recovery.enabled", "false");
        site.put("yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", "250");
        site.put("yarn.scheduler.minimum-allocation-mb", "128");
        site.put("yarn.scheduler.maximum-allocation-mb", "4096");
        site.put("yarn.nodemanager.hostname", "127.0.0.1");
        site.put("yarn.nodemanager.address", "127.0.0.1:" + ports.get("nm"));
        site.put("yarn.nodemanager.localizer.address", "127.0.0.1:" + ports.get("nm-localizer"));
        site.put("yarn.nodemanager.webapp.address", "127.0.0.1:" + ports.get("nm-web"));
        site.put("yarn.nodemanager.local-dirs", layout.data().resolve("nm-local").toString());
        site.put("yarn.nodemanager.log-dirs", layout.home().resolve("container-logs").toString());
        site.put("yarn.nodemanager.remote-app-log-dir", layout.data().resolve("app-logs").toString());
        site.put("yarn.log-aggregation-enable", "false");
        site.put("yarn.nodemanager.resource.memory-mb", "4096");
        site.put("yarn.nodemanager.resource.cpu-vcores", "4");
        site.put("yarn.nodemanager.vmem-check-enabled", "false");
        site.put("yarn.nodemanager.pmem-check-enabled", "false");
        // A busy development disk must not mark the only NodeManager unhealthy.
        site.put("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99.9");
        site.put("yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb", "0");
        site.put("yarn.nodemanager.container-executor.class",
                "org.apache.hadoop.yarn.server.nodemanager.DefaultContainerExecutor");
        site.put("yarn.nodemanager.recovery.enabled", "false");
        site.put("yarn.nodemanager.aux-services", "");
        site.put("yarn.timeline-service.enabled", "false");
        site.put("yarn.nodemanager.delete.debug-delay-sec", "0");
        // A stopped container gets SIGTERM, then SIGKILL after this delay (YARN's default: 250 ms). A consumer instance
        // scaled away commits its last batch and leaves the group on SIGTERM, which takes longer than 250 ms.
        site.put("yarn.nodemanager.sleep-delay-before-sigkill.ms", "10000");
        SiteXml.write(layout.conf().resolve("yarn-site.xml"), site);
        SiteXml.write(layout.conf().resolve("core-site.xml"), Map.of("hadoop.tmp.dir", layout.tmp().toString()));
        // The CapacityScheduler (YARN's default) needs its queues declared: one queue with the whole node,
        // and room for several ApplicationMasters (the consumer service runs one per application).
        SiteXml.write(layout.conf().resolve("capacity-scheduler.xml"), Map.of(
                "yarn.scheduler.capacity.root.queues", "default",
                "yarn.scheduler.capacity.root.default.capacity", "100",
                "yarn.scheduler.capacity.root.default.maximum-capacity", "100",
                "yarn.scheduler.capacity.maximum-am-resource-percent", "0.5"));

        String logging = LogConfig.log4j1(layout, List.of("org.apache.hadoop.metrics2", "org.eclipse.jetty",
                "org.apache.hadoop.yarn.server.resourcemanager.RMAuditLogger", "org.apache.hadoop.yarn.server.nodemanager.NMAuditLogger"));
        return new JvmLaunch("dev.sluice.stack.hadoop.YarnStandalone", List.of(), "512m",
                List.of(logging, "-Djava.net.preferIPv4Stack=true", "-Dhadoop.log.dir=" + layout.home(),
                        "-Dyarn.log.dir=" + layout.home()),
                Map.of("HADOOP_CONF_DIR", layout.conf().toString(), "YARN_CONF_DIR", layout.conf().toString()));
    }

    /** The ResourceManager's REST API answers and counts at least one active NodeManager. */
    @Override
    public String probe(Map<String, String> endpoints) throws Exception {
        String web = endpoints.get(StackEndpoints.YARN_RM_WEB_URL);
        JsonNode metrics = Http.getJson(web + "/ws/v1/cluster/metrics").path("clusterMetrics");
        int active = metrics.path("activeNodes").asInt(0);
        if (active < 1) {
            throw new IOException("YARN has no active NodeManager yet");
        }
        return "yarn " + endpoints.get(StackEndpoints.YARN_RM_ADDRESS) + " (" + active + " NodeManager, "
                + metrics.path("totalMB").asInt() + " MB)";
    }

    static Path confDir(Path workDir) {
        return new ServiceLayout(workDir, Service.YARN).conf();
    }
}
