package dev.sluice.common.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a secret that a setting points at, never a literal: {@code file:PATH} (the file's content,
 * without a trailing line break) or {@code env:NAME} (an environment variable). A literal would end
 * up in process listings, shell histories and configuration dumps.
 *
 * <p>Kafka client settings use Kafka's own config providers for the same purpose
 * ({@code ${dir:/secrets:name}}); this covers Sluice's own settings (Solr credentials, trust store
 * passwords).
 */
public final class Secrets {

    private final Function<String, String> environment;

    private Secrets(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Secrets from the files and the environment of this process. */
    public static Secrets fromProcess() {
        return new Secrets(System::getenv);
    }

    /** Secrets from files and the given environment (tests). */
    public static Secrets withEnvironment(Map<String, String> environment) {
        return new Secrets(environment::get);
    }

    /**
     * @param setting the setting's name, for the error message
     * @param reference {@code file:PATH} or {@code env:NAME}
     * @throws IllegalArgumentException naming the setting when the reference is a literal, the file
     *     is missing or unreadable, or the variable is unset
     */
    public String resolve(String setting, String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("setting '" + setting + "' is empty; give file:PATH or env:NAME");
        }
        if (reference.startsWith("file:")) {
            Path file = Path.of(reference.substring("file:".length()));
            try {
                String content = Files.readString(file, StandardCharsets.UTF_8);
                return content.endsWith("\n") ? content.substring(0, content.length() - 1).replaceAll("\r$", "") : content;
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("setting '" + setting + "': secret file " + file + " does not exist");
            } catch (IOException e) {
                throw new IllegalArgumentException("setting '" + setting + "': cannot read secret file " + file + " (" + e + ")");
            }
        }
        if (reference.startsWith("env:")) {
            String name = reference.substring("env:".length());
            String value = environment.apply(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("setting '" + setting + "': environment variable " + name + " is not set");
            }
            return value;
        }
        throw new IllegalArgumentException("setting '" + setting + "' must say where the secret is, as file:PATH or env:NAME;"
                + " a literal secret in a setting is refused");
    }
}
