package dev.sluice.stack.kafka;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts one KRaft node (broker and controller). Formats the log directory first when it has
 * never been formatted, in the same JVM, so a stack start pays for one JVM instead of two.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id> <log-dir>}.
 */
public final class KafkaStandalone {

    private KafkaStandalone() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Server threads started before the failure would keep a half-started JVM alive: exit instead.
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: KafkaStandalone <server.properties> <cluster-id> <log-dir>");
            System.exit(2);
        }
        String properties = args[0];
        String clusterId = args[1];
        Path logDir = Path.of(args[2]);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", properties}, out);
            if (rc != 0) {
                System.err.println("kafka-storage format failed with exit code " + rc);
                System.exit(rc);
            }
        }
        kafka.Kafka.main(new String[] {properties});
    }
}
