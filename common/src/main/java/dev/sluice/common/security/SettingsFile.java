package dev.sluice.common.security;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** A client settings file in properties format (Kafka client or Solr client settings). */
public final class SettingsFile {

    private SettingsFile() {
    }

    /**
     * The settings of a properties file, values trimmed, sorted by key.
     *
     * @param setting what names this file for the user (an option or a setting), for messages
     * @throws IllegalArgumentException naming {@code setting} when the file is missing or unreadable
     */
    public static Map<String, String> read(Path file, String setting) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(setting + ": no settings file at " + file);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, properties.getProperty(k).trim()));
        return values;
    }
}
