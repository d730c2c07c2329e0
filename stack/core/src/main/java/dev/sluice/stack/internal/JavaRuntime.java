package dev.sluice.stack.internal;

import dev.sluice.stack.StackException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Checks the JDK that the service JVMs run on. */
public final class JavaRuntime {

    public static final int MINIMUM_FEATURE_VERSION = 17;

    private JavaRuntime() {
    }

    /**
     * @throws StackException naming the JDK and its version if it has no {@code bin/java} or is older than 17
     */
    public static void requireSupported(Path javaHome) {
        if (!Files.isExecutable(javaHome.resolve("bin").resolve("java"))) {
            throw new StackException("no Java runtime at " + javaHome + " (bin/java is missing); set JAVA_HOME to a JDK 17");
        }
        int version = featureVersion(javaHome).orElse(Runtime.version().feature());
        if (version < MINIMUM_FEATURE_VERSION) {
            throw new StackException("the JDK at " + javaHome + " is Java " + version
                    + "; the stack needs JDK 17 or newer (HBase 2.6 and Hadoop 3.4 clients need 17 to 24): set JAVA_HOME");
        }
    }

    /** The feature version (17, 21, …) from the JDK's {@code release} file, if it has one. */
    public static Optional<Integer> featureVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(release, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", "").trim())
                    .map(JavaRuntime::feature)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** "1.8.0_402" is 8, "17.0.15" is 17, "21" is 21. */
    static int feature(String version) {
        String[] parts = version.split("[._+-]");
        int first = Integer.parseInt(parts[0]);
        return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
    }
}
