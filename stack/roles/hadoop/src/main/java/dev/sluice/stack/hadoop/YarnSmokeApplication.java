package dev.sluice.stack.hadoop;

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

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Submits {@link NoopApplicationMaster} to the ResourceManager named in {@code yarn-site.xml} and
 * waits for it to finish. Exits 0 when the application SUCCEEDED, 1 otherwise, printing its report.
 *
 * <p>Arguments: {@code <am-classpath> <timeout-seconds>}; the AM runs with the given classpath,
 * which on one machine can be absolute.
 */
public final class YarnSmokeApplication {

    private static final EnumSet<YarnApplicationState> DONE =
            EnumSet.of(YarnApplicationState.FINISHED, YarnApplicationState.FAILED, YarnApplicationState.KILLED);

    private YarnSmokeApplication() {
    }

    public static void main(String[] args) throws Exception {
        String amClasspath = args[0];
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        YarnClient yarn = YarnClient.createYarnClient();
        yarn.init(new YarnConfiguration());
        yarn.start();
        try {
            YarnClientApplication app = yarn.createApplication();
            ApplicationSubmissionContext context = app.getApplicationSubmissionContext();
            context.setApplicationName("sluice-yarn-smoke");
            context.setApplicationType("SLUICE");
            context.setMaxAppAttempts(1);
            context.setResource(Resource.newInstance(256, 1));
            String logs = ApplicationConstants.LOG_DIR_EXPANSION_VAR;
            String command = ApplicationConstants.Environment.JAVA_HOME.$$() + "/bin/java -Xmx128m"
                    + " -cp " + amClasspath + " " + NoopApplicationMaster.class.getName()
                    + " 1>" + logs + "/stdout 2>" + logs + "/stderr";
            context.setAMContainerSpec(ContainerLaunchContext.newInstance(
                    Map.of(), Map.of(), List.of(command), null, null, null));
            ApplicationId id = context.getApplicationId();
            yarn.submitApplication(context);
            ApplicationReport report = yarn.getApplicationReport(id);
            while (!DONE.contains(report.getYarnApplicationState()) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                report = yarn.getApplicationReport(id);
            }
            System.out.println("application " + id + " state=" + report.getYarnApplicationState()
                    + " finalStatus=" + report.getFinalApplicationStatus() + " diagnostics=" + report.getDiagnostics());
            boolean succeeded = report.getFinalApplicationStatus() == FinalApplicationStatus.SUCCEEDED;
            if (!succeeded && !DONE.contains(report.getYarnApplicationState())) {
                yarn.killApplication(id);
            }
            System.exit(succeeded ? 0 : 1);
        } finally {
            yarn.stop();
        }
    }
}
