package dev.sluice.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds Sluice's Flume plugin distributions from the shaded plugin jar: one parcel per
 * distribution plus {@code manifest.json} (the directory can be served as a parcel repository),
 * and a Flume {@code plugins.d} tarball for plain Flume installs.
 *
 * <p>Archives are reproducible: fixed entry times and owners, so the same jar gives the same
 * bytes and the same SHA-1. Run by the build ({@code deploy} module, package phase):
 * {@code ParcelBuilder <plugin-jar> <version> <out-dir>}.
 */
public final class ParcelBuilder {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Entry time of every archive member: a constant, for reproducible archives. */
    private static final Instant ENTRY_TIME = Instant.parse("2026-01-01T00:00:00Z");
    public static final String PLUGINS_D_DIR = "sluice";

    private ParcelBuilder() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ParcelBuilder <plugin-jar> <version> <out-dir>");
            System.exit(2);
        }
        List<Path> written = build(Path.of(args[0]), args[1], Path.of(args[2]));
        written.forEach(p -> System.out.println("[sluice] wrote " + p));
    }

    /** Writes the parcels, {@code manifest.json} and the plugins.d tarball into {@code outDir}. */
    public static List<Path> build(Path pluginJar, String version, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        ArrayNode manifestParcels = JSON.createArrayNode();
        for (String distro : Parcels.DISTROS) {
            Path parcel = outDir.resolve(Parcels.fileName(version, distro));
            writeParcel(parcel, pluginJar, version);
            written.add(parcel);
            ObjectNode entry = manifestParcels.addObject();
            entry.put("parcelName", parcel.getFileName().toString());
            entry.set("components", components(version));
            entry.put("depends", "");
            entry.put("replaces", "");
            entry.put("conflicts", "");
            entry.put("hash", sha1(parcel));
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("lastUpdated", ENTRY_TIME.toEpochMilli());
        manifest.set("parcels", manifestParcels);
        Path manifestFile = outDir.resolve(Parcels.MANIFEST);
        Files.writeString(manifestFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n", StandardCharsets.UTF_8);
        written.add(manifestFile);
        Path pluginsD = outDir.resolve("sluice-flume-plugins.d-" + version + ".tar.gz");
        writePluginsD(pluginsD, pluginJar);
        written.add(pluginsD);
        return written;
    }

    static ObjectNode parcelJson(String version) {
        ObjectNode parcel = JSON.createObjectNode();
        parcel.put("schema_version", 1);
        parcel.put("name", Parcels.NAME);
        parcel.put("version", version);
        parcel.put("setActiveSymlink", true);
        parcel.put("depends", "");
        parcel.put("replaces", "");
        parcel.put("conflicts", "");
        parcel.putArray("provides").add(Parcels.PROVIDES);
        parcel.putObject("scripts").put("defines", Parcels.ENV_SCRIPT);
        parcel.putArray("packages");
        parcel.set("components", components(version));
        parcel.putObject("users");
        parcel.putArray("groups");
        return parcel;
    }

    private static ArrayNode components(String version) {
        ArrayNode components = JSON.createArrayNode();
        components.addObject().put("name", "sluice-flume-plugin").put("version", version).put("pkg_version", version);
        return components;
    }

    private static void writeParcel(Path parcel, Path pluginJar, String version) throws IOException {
        String top = Parcels.topDirectory(version) + "/";
        try (TarArchiveOutputStream tar = tar(parcel)) {
            directory(tar, top);
            directory(tar, top + "meta/");
            file(tar, top + "meta/parcel.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(parcelJson(version)), 0644);
            file(tar, top + "meta/" + Parcels.ENV_SCRIPT, Parcels.envScript(version).getBytes(StandardCharsets.UTF_8), 0755);
            directory(tar, top + "lib/");
            file(tar, top + "lib/" + pluginJar.getFileName(), Files.readAllBytes(pluginJar), 0644);
        }
    }

    /** Flume's plugins.d layout: {@code plugins.d/<plugin>/lib} (its jars), {@code libext} (their dependencies), {@code native}. */
    private static void writePluginsD(Path tarball, Path pluginJar) throws IOException {
        String top = "plugins.d/" + PLUGINS_D_DIR + "/";
        try (TarArchiveOutputStream tar = tar(tarball)) {
            directory(tar, "plugins.d/");
            directory(tar, top);
            directory(tar, top + "lib/");
            file(tar, top + "lib/" + pluginJar.getFileName(), Files.readAllBytes(pluginJar), 0644);
            // Every dependency is relocated inside the plugin jar: libext and native stay empty.
            directory(tar, top + "libext/");
            directory(tar, top + "native/");
        }
    }

    private static TarArchiveOutputStream tar(Path file) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out));
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        return tar;
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
        entry.setModTime(ENTRY_TIME.toEpochMilli());
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0100000 | mode);
        entry.setSize(content.length);
        entry.setModTime(ENTRY_TIME.toEpochMilli());
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    static String sha1(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-1");
            try (var in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
