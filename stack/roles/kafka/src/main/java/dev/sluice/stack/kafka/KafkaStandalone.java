package dev.sluice.stack.kafka;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts one KRaft node (broker and controller). Formats the log directory first when it has
 * never been formatted, in the same JVM, so a stack start pays for one JVM instead of two.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id> <log-dir> [<secrets-dir>:<user>,<user>...]}. With the
 * last, the format step creates a SCRAM-SHA-512 credential for each user, whose password it reads
 * from {@code <secrets-dir>/kafka-<user>.password}: passwords never appear on a command line.
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
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: KafkaStandalone <server.properties> <cluster-id> <log-dir> [<secrets-dir>:<user>,...]");
            System.exit(2);
        }
        String properties = args[0];
        String clusterId = args[1];
        Path logDir = Path.of(args[2]);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            List<String> format = new ArrayList<>(List.of("format", "-t", clusterId, "-c", properties));
            if (args.length == 4) {
                format.addAll(scramCredentials(args[3]));
            }
            int rc = kafka.tools.StorageTool.execute(format.toArray(new String[0]), out);
            if (rc != 0) {
                System.err.println("kafka-storage format failed with exit code " + rc);
                System.exit(rc);
            }
        }
        kafka.Kafka.main(new String[] {properties});
    }

    /** {@code --add-scram SCRAM-SHA-512=[name=u,password=p]} for each user of {@code <secrets-dir>:<user>,...}. */
    private static List<String> scramCredentials(String spec) throws java.io.IOException {
        int colon = spec.lastIndexOf(':');
        Path secrets = Path.of(spec.substring(0, colon));
        List<String> arguments = new ArrayList<>();
        for (String user : spec.substring(colon + 1).split(",")) {
            String password = Files.readString(secrets.resolve("kafka-" + user + ".password"), StandardCharsets.UTF_8).strip();
            arguments.add("--add-scram");
            arguments.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
        }
        return arguments;
    }
}
