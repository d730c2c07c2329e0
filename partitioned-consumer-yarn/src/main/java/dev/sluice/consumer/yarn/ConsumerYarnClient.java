package dev.sluice.consumer.yarn;

import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.ApplicationSubmissionContext;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.client.api.YarnClientApplication;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The YARN side of {@code sluice consumer submit|scale|status|stop}, run in its own JVM with the
 * YARN client jars and the cluster's {@code yarn-site.xml} on the classpath.
 *
 * <pre>
 * submit &lt;consumer-classpath&gt; &lt;settings-file&gt; &lt;instances&gt; &lt;container-mb&gt; &lt;status-dir&gt;
 * scale  &lt;application-id&gt; &lt;instances&gt;
 * status &lt;application-id&gt;
 * stop   &lt;application-id&gt;
 * </pre>
 *
 * Exit codes: 0 done, 1 failed, 2 usage.
 */
public final class ConsumerYarnClient {

    private static final EnumSet<YarnApplicationState> ENDED =
            EnumSet.of(YarnApplicationState.FINISHED, YarnApplicationState.FAILED, YarnApplicationState.KILLED);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConsumerYarnClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: submit|scale|status|stop ...");
            System.exit(2);
        }
        YarnClient yarn = YarnClient.createYarnClient();
        yarn.init(new YarnConfiguration());
        yarn.start();
        try {
            int code = switch (args[0]) {
                case "submit" -> submit(yarn, args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
                case "scale" -> control(yarn, ApplicationId.fromString(args[1]), "POST", "/scale?instances=" + Integer.parseInt(args[2]));
                case "status" -> control(yarn, ApplicationId.fromString(args[1]), "GET", "/status");
                case "stop" -> stop(yarn, ApplicationId.fromString(args[1]));
                default -> {
                    System.err.println("unknown command " + args[0]);
                    yield 2;
                }
            };
            System.exit(code);
        } finally {
            yarn.stop();
        }
    }

    private static int submit(YarnClient yarn, String consumerClasspath, String settingsFile, int instances, int containerMb,
                              String statusDir) throws Exception {
        YarnClientApplication app = yarn.createApplication();
        ApplicationSubmissionContext context = app.getApplicationSubmissionContext();
        context.setApplicationName("sluice-partitioned-consumer");
        context.setApplicationType("SLUICE");
        // The AM keeps its containers across its own restart attempts.
        context.setMaxAppAttempts(2);
        context.setKeepContainersAcrossApplicationAttempts(true);
        context.setResource(Resource.newInstance(256, 1));
        String logs = ApplicationConstants.LOG_DIR_EXPANSION_VAR;
        String amClasspath = System.getProperty("java.class.path");
        String command = ApplicationConstants.Environment.JAVA_HOME.$$() + "/bin/java -Xmx160m"
                + " -cp " + amClasspath + " " + ConsumerApplicationMaster.class.getName()
                + " " + consumerClasspath + " " + settingsFile + " " + instances + " " + containerMb + " " + statusDir
                + " 1>" + logs + "/stdout 2>" + logs + "/stderr";
        context.setAMContainerSpec(ContainerLaunchContext.newInstance(Map.of(), Map.of(), List.of(command), null, null, null));
        ApplicationId id = context.getApplicationId();
        yarn.submitApplication(context);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        ApplicationReport report = yarn.getApplicationReport(id);
        while (report.getYarnApplicationState() != YarnApplicationState.RUNNING && !ENDED.contains(report.getYarnApplicationState())
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
            report = yarn.getApplicationReport(id);
        }
        if (report.getYarnApplicationState() != YarnApplicationState.RUNNING || report.getRpcPort() <= 0) {
            System.err.println("application " + id + " did not start: " + report.getYarnApplicationState() + " " + report.getDiagnostics());
            return 1;
        }
        System.out.println(id);
        return 0;
    }

    /** The state, and for an application that has ended how it ended: FINISHED with FAILED is an AM that gave up. */
    private static String describe(ApplicationReport report) {
        FinalApplicationStatus outcome = report.getFinalApplicationStatus();
        return report.getYarnApplicationState() + (outcome == null || outcome == FinalApplicationStatus.UNDEFINED ? "" : " (" + outcome + ")");
    }

    private static int control(YarnClient yarn, ApplicationId id, String method, String path) throws Exception {
        ApplicationReport report = yarn.getApplicationReport(id);
        if (report.getYarnApplicationState() != YarnApplicationState.RUNNING) {
            String diagnostics = report.getDiagnostics() == null ? "" : report.getDiagnostics().trim();
            System.err.println("application " + id + " is " + describe(report) + (diagnostics.isEmpty() ? "" : ": " + diagnostics));
            return 1;
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + report.getHost() + ":" + report.getRpcPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.print(response.body());
        return response.statusCode() == 200 ? 0 : 1;
    }

    private static int stop(YarnClient yarn, ApplicationId id) throws Exception {
        try {
            control(yarn, id, "POST", "/stop");
        } catch (IOException e) {
            System.err.println("the application master did not answer (" + e.getMessage() + "): killing the application");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ENDED.contains(yarn.getApplicationReport(id).getYarnApplicationState()) && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        if (!ENDED.contains(yarn.getApplicationReport(id).getYarnApplicationState())) {
            yarn.killApplication(id);
        }
        System.out.println(id + " " + describe(yarn.getApplicationReport(id)));
        return 0;
    }
}
