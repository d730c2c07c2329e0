package dev.sluice.consumer;

import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.logging.log4j.core.config.Configurator;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one consumer instance in the foreground until SIGTERM/SIGINT:
 * {@code ConsumerMain [settings.properties] [key=value ...]}. Used by {@code sluice consumer run}
 * and by the YARN containers. Exit codes: 0 stopped, 2 bad settings, 3 a Kafka permission missing (the
 * message names it), 1 other failure.
 */
public final class ConsumerMain {

    private ConsumerMain() {
    }

    /**
     * The consumer service's Log4j 2 configuration, a classpath resource: INFO from Sluice, warnings from its
     * clients, to stdout. Chosen by name because the CLI's own log4j2.xml comes first on the classpath they share.
     */
    public static final String LOG_CONFIG = "sluice-consumer-log4j2.xml";

    public static void main(String[] args) {
        useServiceLogging();
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0) {
                overrides.put(arg.substring(0, eq), arg.substring(eq + 1));
            } else {
                file = Path.of(arg);
            }
        }
        ConsumerSettings settings;
        try {
            settings = ConsumerSettings.load(file, overrides);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(settings));
    }

    /**
     * Switches this JVM's logging to {@link #LOG_CONFIG}, unless {@code -Dlog4j2.configurationFile} chose another: the
     * YARN containers and the demo's instances run {@link #main}, {@code sluice consumer run} calls this in the CLI's JVM.
     */
    public static void useServiceLogging() {
        if (System.getProperty("log4j2.configurationFile") != null || System.getProperty("log4j.configurationFile") != null) {
            return;
        }
        URL config = Objects.requireNonNull(ConsumerMain.class.getClassLoader().getResource(LOG_CONFIG), LOG_CONFIG + " is not on the classpath");
        try {
            Configurator.reconfigure(config.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exit code when Kafka refuses a right the consumer needs. */
    public static final int EXIT_NOT_AUTHORIZED = 3;

    /** Exit code when another process has taken this instance's id: this one is a zombie and must not go on. */
    public static final int EXIT_INSTANCE_ID_TAKEN = 4;

    /** How long a restarted instance waits for its previous incarnation's static membership to expire. */
    private static final long UNRELEASED_ID_WAIT_MILLIS = 120_000;

    /** Runs until the JVM is asked to stop; returns the exit code. */
    public static int run(ConsumerSettings settings) {
        long waitingSince = System.currentTimeMillis();
        while (true) {
            PartitionedConsumer consumer;
            try {
                consumer = PartitionedConsumer.start(settings);
            } catch (MissingPermissionException e) {
                System.err.println("cannot start: " + e.getMessage());
                return EXIT_NOT_AUTHORIZED;
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("cannot start: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("cannot start: " + e);
                return 1;
            }
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                consumer.stop();
                try {
                    finished.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "consumer-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                consumer.run();
                return 0;
            } catch (FencedInstanceIdException e) {
                System.err.println(heldByAnother(settings, e));
                return EXIT_INSTANCE_ID_TAKEN;
            } catch (UnreleasedInstanceIdException e) {
                if (consumer.hasBeenAMember()) {
                    // This process was a member and lost its session (frozen, cut off): a new process has taken the id.
                    System.err.println(heldByAnother(settings, e));
                    return EXIT_INSTANCE_ID_TAKEN;
                }
                // Restarted after a crash (kill -9): the broker still holds this instance id for the dead
                // process until its session times out. Wait for it rather than give the id up.
                if (System.currentTimeMillis() - waitingSince > UNRELEASED_ID_WAIT_MILLIS) {
                    System.err.println("consumer failed: " + e);
                    return 1;
                }
                System.err.println("instance id " + settings.displayName()
                        + " is still held by its previous process; retrying until its session expires");
            } catch (MissingPermissionException e) {
                System.err.println("consumer stopped: " + e.getMessage());
                return EXIT_NOT_AUTHORIZED;
            } catch (RuntimeException e) {
                System.err.println("consumer failed: " + e);
                return 1;
            } finally {
                consumer.close();
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    return 0;
                }
            }
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    private static String heldByAnother(ConsumerSettings settings, RuntimeException e) {
        return "consumer stopped: instance id " + settings.displayName() + " is held by another process, which took it over"
                + " after this one's group session expired; this process stops so that only one instance runs with that id ("
                + e + ")";
    }
}
