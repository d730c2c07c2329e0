package dev.sluice.packaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Checks a parcel against the format Cloudera Manager expects and reports every problem at once,
 * not just the first: file name, archive layout, {@code meta/parcel.json} fields and types, the
 * environment script it names, jars in {@code lib/}, and the parcel's SHA-1 in the repository's
 * {@code manifest.json}.
 */
public final class ParcelVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_META_BYTES = 1 << 20;

    private ParcelVerifier() {
    }

    /**
     * @param manifest the repository manifest to check the hash against; null for the
     *     {@code manifest.json} next to the parcel
     * @return the problems found, empty if the parcel is sound
     */
    public static List<String> verify(Path parcel, Path manifest) throws IOException {
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(parcel)) {
            problems.add(parcel + ": no such file");
            return problems;
        }
        String fileName = parcel.getFileName().toString();
        String name = null;
        String version = null;
        Matcher matcher = Parcels.FILE_NAME.matcher(fileName);
        if (!matcher.matches()) {
            problems.add("file name '" + fileName + "' is not <NAME>-<version>-<distro>.parcel");
        } else {
            name = matcher.group(1);
            version = matcher.group(2);
            if (!Parcels.KNOWN_DISTROS.contains(matcher.group(3))) {
                problems.add("file name: distribution '" + matcher.group(3) + "' is not one Cloudera Manager knows " + Parcels.KNOWN_DISTROS);
            }
        }
        String top = name == null ? null : name + "-" + version + "/";

        Map<String, byte[]> meta = new HashMap<>();
        List<String> jars = new ArrayList<>();
        boolean sawEnvScriptExecutable = false;
        try (InputStream in = Files.newInputStream(parcel);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String path = entry.getName();
                if (path.startsWith("/") || path.contains("../") || path.equals("..")) {
                    problems.add("archive entry '" + path + "' escapes the parcel directory");
                    continue;
                }
                if (top != null && !path.startsWith(top) && !path.equals(top.substring(0, top.length() - 1))) {
                    problems.add("archive entry '" + path + "' is outside the top directory '" + top + "'");
                    continue;
                }
                String relative = top == null ? path : path.substring(Math.min(path.length(), top.length()));
                if (relative.startsWith("meta/") && entry.isFile() && entry.getSize() <= MAX_META_BYTES) {
                    meta.put(relative.substring("meta/".length()), tar.readAllBytes());
                    if (relative.equals("meta/" + Parcels.ENV_SCRIPT) && (entry.getMode() & 0111) != 0) {
                        sawEnvScriptExecutable = true;
                    }
                } else if (relative.startsWith("lib/") && relative.endsWith(".jar") && entry.isFile()) {
                    jars.add(relative);
                }
            }
        } catch (IOException e) {
            problems.add("not a gzipped tar archive: " + e.getMessage());
            return problems;
        }

        byte[] parcelJson = meta.get("parcel.json");
        if (parcelJson == null) {
            problems.add("meta/parcel.json is missing");
        } else {
            checkParcelJson(parcelJson, name, version, meta, sawEnvScriptExecutable, problems);
        }
        if (jars.isEmpty()) {
            problems.add("lib/ holds no jar");
        }
        checkManifest(parcel, manifest != null ? manifest : parcel.resolveSibling(Parcels.MANIFEST), problems);
        return problems;
    }

    private static void checkParcelJson(byte[] bytes, String name, String version, Map<String, byte[]> meta,
                                        boolean envScriptExecutable, List<String> problems) {
        JsonNode json;
        try {
            json = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            problems.add("meta/parcel.json is not JSON: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            problems.add("meta/parcel.json cannot be read: " + e.getMessage());
            return;
        }
        if (json == null || !json.isObject()) {
            problems.add("meta/parcel.json: must be a JSON object");
            return;
        }
        JsonNode schema = json.get("schema_version");
        if (schema == null) {
            problems.add("meta/parcel.json: schema_version is missing");
        } else if (!schema.isInt() || schema.asInt() != 1) {
            problems.add("meta/parcel.json: schema_version must be the number 1, was " + schema);
        }
        checkString(json, "name", name, problems);
        checkString(json, "version", version, problems);
        JsonNode provides = json.get("provides");
        if (provides == null || !provides.isArray()) {
            problems.add("meta/parcel.json: provides must be an array of strings");
        } else {
            boolean flume = false;
            for (JsonNode tag : provides) {
                if (!tag.isTextual()) {
                    problems.add("meta/parcel.json: provides holds a non-string " + tag);
                }
                flume |= Parcels.PROVIDES.equals(tag.asText());
            }
            if (!flume) {
                problems.add("meta/parcel.json: provides does not include '" + Parcels.PROVIDES + "' (Flume would not load it)");
            }
        }
        JsonNode components = json.get("components");
        if (components == null || !components.isArray() || components.isEmpty()) {
            problems.add("meta/parcel.json: components must be a non-empty array");
        } else {
            for (JsonNode component : components) {
                for (String field : List.of("name", "version")) {
                    if (!component.path(field).isTextual()) {
                        problems.add("meta/parcel.json: every component needs a string '" + field + "', got " + component);
                    }
                }
            }
        }
        JsonNode defines = json.path("scripts").get("defines");
        if (defines == null || !defines.isTextual() || defines.asText().isBlank()) {
            problems.add("meta/parcel.json: scripts.defines must name the environment script");
        } else if (!meta.containsKey(defines.asText())) {
            problems.add("meta/parcel.json: scripts.defines names meta/" + defines.asText() + ", which is not in the parcel");
        } else if (defines.asText().equals(Parcels.ENV_SCRIPT) && !envScriptExecutable) {
            problems.add("meta/" + defines.asText() + " is not executable");
        }
    }

    private static void checkString(JsonNode json, String field, String expected, List<String> problems) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual()) {
            problems.add("meta/parcel.json: " + field + " must be a string, was " + value);
        } else if (expected != null && !expected.equals(value.asText())) {
            problems.add("meta/parcel.json: " + field + " is '" + value.asText() + "' but the file name says '" + expected + "'");
        }
    }

    private static void checkManifest(Path parcel, Path manifest, List<String> problems) throws IOException {
        if (!Files.isRegularFile(manifest)) {
            problems.add("no " + manifest.getFileName() + " next to the parcel (" + manifest + "): a parcel repository needs one");
            return;
        }
        JsonNode json;
        try {
            json = JSON.readTree(manifest.toFile());
        } catch (JsonProcessingException e) {
            problems.add(manifest + " is not JSON: " + e.getOriginalMessage());
            return;
        }
        String fileName = parcel.getFileName().toString();
        for (JsonNode entry : json.path("parcels")) {
            if (fileName.equals(entry.path("parcelName").asText())) {
                String actual = ParcelBuilder.sha1(parcel);
                String listed = entry.path("hash").asText();
                if (!actual.equalsIgnoreCase(listed)) {
                    problems.add(manifest.getFileName() + ": hash of " + fileName + " is " + listed + " but the file's SHA-1 is " + actual);
                }
                return;
            }
        }
        problems.add(manifest.getFileName() + " does not list " + fileName);
    }
}
