package dev.sluice.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class ParcelVerifierTest {

    @TempDir
    Path dir;

    private Path build() throws IOException {
        Path jar = Files.write(dir.resolve("sluice-flume-plugin-1.2.0.jar"), "not really a jar".getBytes(StandardCharsets.UTF_8));
        ParcelBuilder.build(jar, "1.2.0", dir.resolve("repo"));
        return dir.resolve("repo");
    }

    @Test
    void theBuiltParcelsAreSoundAndReproducible() throws IOException {
        Path repo = build();
        for (String distro : Parcels.DISTROS) {
            assertThat(ParcelVerifier.verify(repo.resolve("SLUICE-1.2.0-" + distro + ".parcel"), null)).isEmpty();
        }
        Map<String, byte[]> entries = read(repo.resolve("SLUICE-1.2.0-el8.parcel"));
        assertThat(entries).containsKeys("SLUICE-1.2.0/meta/parcel.json", "SLUICE-1.2.0/meta/sluice_env.sh",
                "SLUICE-1.2.0/lib/sluice-flume-plugin-1.2.0.jar");
        ObjectNode parcelJson = (ObjectNode) new ObjectMapper().readTree(entries.get("SLUICE-1.2.0/meta/parcel.json"));
        assertThat(parcelJson.get("schema_version").asInt()).isEqualTo(1);
        assertThat(parcelJson.path("scripts").path("defines").asText()).isEqualTo("sluice_env.sh");
        assertThat(parcelJson.path("provides").get(0).asText()).isEqualTo("flume-plugin");
        assertThat(new String(entries.get("SLUICE-1.2.0/meta/sluice_env.sh"), StandardCharsets.UTF_8)).contains("FLUME_CLASSPATH");

        String hash = ParcelBuilder.sha1(repo.resolve("SLUICE-1.2.0-el8.parcel"));
        ParcelBuilder.build(dir.resolve("sluice-flume-plugin-1.2.0.jar"), "1.2.0", dir.resolve("again"));
        assertThat(ParcelBuilder.sha1(dir.resolve("again/SLUICE-1.2.0-el8.parcel"))).isEqualTo(hash);

        Map<String, byte[]> pluginsD = read(repo.resolve("sluice-flume-plugins.d-1.2.0.tar.gz"));
        assertThat(pluginsD).containsKeys("plugins.d/sluice/lib/sluice-flume-plugin-1.2.0.jar", "plugins.d/sluice/libext/",
                "plugins.d/sluice/native/");
        // Credentials are the deployment's, never the package's: no store, keytab or secret file is packed.
        for (Map<String, byte[]> packed : List.of(entries, pluginsD)) {
            assertThat(packed.keySet()).noneMatch(name -> name.matches("(?i).*(secret|password|\\.p12|\\.jks|keytab|\\.pem).*"));
        }
    }

    @Test
    void reportsEveryProblemOfABrokenParcel() throws IOException {
        Path repo = build();
        Path good = repo.resolve("SLUICE-1.2.0-el8.parcel");
        Map<String, byte[]> entries = read(good);
        entries.remove("SLUICE-1.2.0/meta/sluice_env.sh");
        entries.put("SLUICE-1.2.0/meta/parcel.json", edit(entries.get("SLUICE-1.2.0/meta/parcel.json"), json -> {
            json.put("schema_version", "1");
            json.put("version", "1.3.0");
            json.putArray("provides").add("hdfs-plugin");
            return json;
        }));
        entries.put("stray.txt", new byte[0]);
        Path broken = write(repo.resolve("SLUICE-1.2.0-el8.parcel"), entries);

        List<String> problems = ParcelVerifier.verify(broken, null);

        assertThat(problems).anyMatch(p -> p.contains("schema_version must be the number 1"))
                .anyMatch(p -> p.contains("version is '1.3.0' but the file name says '1.2.0'"))
                .anyMatch(p -> p.contains("provides does not include 'flume-plugin'"))
                .anyMatch(p -> p.contains("scripts.defines names meta/sluice_env.sh, which is not in the parcel"))
                .anyMatch(p -> p.contains("'stray.txt' is outside the top directory"))
                .anyMatch(p -> p.contains("hash of SLUICE-1.2.0-el8.parcel is"));
    }

    @Test
    void aBadNameNoManifestOrNotATarballIsReported() throws IOException {
        Path repo = build();
        Path renamed = Files.copy(repo.resolve("SLUICE-1.2.0-el8.parcel"), dir.resolve("SLUICE-1.2.0-windows.parcel"));
        assertThat(ParcelVerifier.verify(renamed, null)).anyMatch(p -> p.contains("distribution 'windows'"))
                .anyMatch(p -> p.contains("no manifest.json next to the parcel"));
        Path garbage = Files.writeString(dir.resolve("SLUICE-1.2.0-el9.parcel"), "garbage");
        assertThat(ParcelVerifier.verify(garbage, repo.resolve("manifest.json"))).anyMatch(p -> p.startsWith("not a gzipped tar archive"));
        assertThat(ParcelVerifier.verify(dir.resolve("missing.parcel"), null)).containsExactly(dir.resolve("missing.parcel") + ": no such file");
    }

    private static byte[] edit(byte[] json, UnaryOperator<ObjectNode> change) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        return mapper.writeValueAsBytes(change.apply((ObjectNode) mapper.readTree(json)));
    }

    private static Map<String, byte[]> read(Path tarball) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(tarball)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                entries.put(entry.getName(), tar.readAllBytes());
            }
        }
        return entries;
    }

    private static Path write(Path tarball, Map<String, byte[]> entries) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(tarball)))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                if (!e.getKey().endsWith("/")) {
                    entry.setSize(e.getValue().length);
                    entry.setMode(e.getKey().endsWith(".sh") ? 0100755 : 0100644);
                }
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return tarball;
    }
}
