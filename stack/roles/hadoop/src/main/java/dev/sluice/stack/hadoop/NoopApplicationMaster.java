package dev.sluice.stack.hadoop;

import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * The smallest real ApplicationMaster: registers with the ResourceManager and unregisters as
 * SUCCEEDED. Running it proves the ResourceManager schedules an AM and the NodeManager launches
 * its container, which is what the stack's YARN check needs.
 */
public final class NoopApplicationMaster {

    private NoopApplicationMaster() {
    }

    public static void main(String[] args) throws Exception {
        AMRMClient<AMRMClient.ContainerRequest> client = AMRMClient.createAMRMClient();
        client.init(new YarnConfiguration());
        client.start();
        try {
            client.registerApplicationMaster("", 0, "");
            client.unregisterApplicationMaster(FinalApplicationStatus.SUCCEEDED, "noop application master", "");
        } finally {
            client.stop();
        }
        System.out.println("NoopApplicationMaster: registered and unregistered");
    }
}
