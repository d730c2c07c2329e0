package dev.sluice.stack.internal;

import dev.sluice.stack.Service;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts and stops service JVMs.
 *
 * <p>Every child carries two markers on its command line, {@code -Dsluice.stack.dir=<work dir>}
 * and {@code -Dsluice.stack.service=<id>}. They are how the stack finds its processes again from
 * another JVM (the CLI's {@code status} and {@code down}) and how it refuses to signal a process
 * that merely reuses a recorded pid. The long classpath goes into an argument file so the command
 * line stays short and readable in {@code ps}.
 */
public final class ServiceProcess {

    static final String DIR_MARKER = "-Dsluice.stack.dir=";
    static final String SERVICE_MARKER = "-Dsluice.stack.service=";

    private ServiceProcess() {
    }

    /** Starts the service's JVM with its output appended to the service log, and records its pid. */
    public static Process launch(ServiceLayout layout, Path javaHome, List<Path> classpath, JvmLaunch launch)
            throws IOException {
        List<String> jvmArgs = new ArrayList<>();
        jvmArgs.add("-Xmx" + launch.maxHeap());
        jvmArgs.add("-Djava.io.tmpdir=" + layout.tmp());
        jvmArgs.addAll(launch.jvmOptions());
        jvmArgs.add("-cp");
        List<Path> fullClasspath = new ArrayList<>();
        fullClasspath.add(layout.conf());
        fullClasspath.addAll(classpath);
        jvmArgs.add(RoleClasspath.join(fullClasspath));
        Path argFile = layout.home().resolve("jvm.args");
        Files.write(argFile, jvmArgs.stream().map(ServiceProcess::argFileQuote).toList(), StandardCharsets.UTF_8);

        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.add(DIR_MARKER + layout.workDir());
        command.add(SERVICE_MARKER + layout.service().id());
        command.add("@" + argFile);
        command.add(launch.mainClass());
        command.addAll(launch.arguments());

        Files.createDirectories(layout.log().getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(layout.home().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.log().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().putAll(launch.environment());
        Process process = builder.start();
        Files.writeString(layout.pidFile(), Long.toString(process.pid()), StandardCharsets.UTF_8);
        return process;
    }

    /** The live process of {@code service} in the stack at {@code workDir}, found by its markers. */
    public static Optional<ProcessHandle> find(Path workDir, Service service) {
        return ProcessHandle.allProcesses()
                .filter(p -> hasMarkers(p, workDir, service.id()))
                .findFirst();
    }

    /** Every live process that belongs to the stack at {@code workDir}. */
    public static List<ProcessHandle> findAll(Path workDir) {
        return ProcessHandle.allProcesses().filter(p -> hasMarkers(p, workDir, null)).toList();
    }

    private static boolean hasMarkers(ProcessHandle process, Path workDir, String serviceId) {
        Optional<String[]> arguments = process.info().arguments();
        if (arguments.isEmpty()) {
            return false;
        }
        List<String> args = Arrays.asList(arguments.get());
        return args.contains(DIR_MARKER + workDir)
                && (serviceId == null || args.contains(SERVICE_MARKER + serviceId));
    }

    /**
     * Stops a process and everything it started (a NodeManager's containers): SIGTERM, then SIGKILL
     * once {@code grace} has passed.
     *
     * @return true if the process had to be killed
     */
    public static boolean stop(ProcessHandle process, Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        boolean killed = false;
        if (process.isAlive()) {
            process.destroy();
            if (!awaitExit(process, grace)) {
                process.destroyForcibly();
                awaitExit(process, Duration.ofSeconds(10));
                killed = true;
            }
        }
        for (ProcessHandle child : descendants) {
            if (child.isAlive()) {
                child.destroyForcibly();
                awaitExit(child, Duration.ofSeconds(5));
            }
        }
        return killed;
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Java argument-file syntax: quote every argument, escaping backslashes and quotes. */
    private static String argFileQuote(String arg) {
        return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
