package dev.sluice.stack.internal;

import dev.sluice.stack.StackException;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of a server role: the role module itself (its launchers) followed by the jars
 * recorded at build time in {@code META-INF/sluice/roles/<role>.classpath}.
 */
public final class RoleClasspath {

    private RoleClasspath() {
    }

    /** @throws StackException if the role was not built or a recorded jar has gone missing */
    public static List<Path> of(String role) {
        String resource = "META-INF/sluice/roles/" + role + ".classpath";
        URL url = RoleClasspath.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new StackException("the '" + role + "' server role is not on the classpath (" + resource
                    + " is missing): build the project first (./mvnw package)");
        }
        List<Path> entries = new ArrayList<>();
        entries.add(rootOf(url, resource));
        String recorded;
        try (InputStream in = url.openStream()) {
            recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new StackException("cannot read " + url + ": " + e.getMessage(), e);
        }
        Arrays.stream(recorded.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).forEach(jar -> {
            if (!Files.exists(jar)) {
                throw new StackException("jar " + jar + " of the '" + role + "' role is missing from the local"
                        + " Maven repository: rebuild the project (./mvnw package)");
            }
            entries.add(jar);
        });
        return entries;
    }

    private static Path rootOf(URL url, String resource) {
        try {
            if ("jar".equals(url.getProtocol())) {
                return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
            }
            Path file = Path.of(url.toURI());
            Path root = file;
            for (int i = 0; i < resource.split("/").length; i++) {
                root = root.getParent();
            }
            return root;
        } catch (IOException | URISyntaxException e) {
            throw new StackException("cannot locate the role module of " + url + ": " + e.getMessage(), e);
        }
    }

    public static String join(List<Path> entries) {
        return String.join(java.io.File.pathSeparator, entries.stream().map(Path::toString).toList());
    }
}
