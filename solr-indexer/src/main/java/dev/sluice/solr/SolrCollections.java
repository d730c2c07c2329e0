package dev.sluice.solr;

import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.response.ConfigSetAdminResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Sets up Sluice's Solr side: uploads the {@value #CONFIGSET} configset shipped in this jar and
 * creates the collections on it. Idempotent: the configset is overwritten with the shipped one and
 * existing collections are reloaded to pick it up, never dropped.
 */
public final class SolrCollections {

    public static final String CONFIGSET = "sluice";
    public static final String EVENTS = "events";
    public static final String ALERTS = "alerts";
    public static final List<String> DEFAULT_COLLECTIONS = List.of(EVENTS, ALERTS);

    private static final String RESOURCE_DIR = "/dev/sluice/solr/configset/conf/";
    private static final List<String> CONFIGSET_FILES = List.of("solrconfig.xml", "schema.xml");

    /** What {@link #init} did to one collection. */
    public enum Outcome { CREATED, RELOADED }

    /** One line per collection for the CLI. */
    public record Result(String collection, Outcome outcome) {
    }

    private SolrCollections() {
    }

    /**
     * Uploads the configset and creates (or reloads) each collection with the given shard count and
     * replication factor.
     */
    public static List<Result> init(SolrClient client, List<String> collections, int shards, int replicas)
            throws IOException, SolrServerException {
        Path zip = Files.createTempFile("sluice-configset-", ".zip");
        try {
            Files.write(zip, configsetZip());
            ConfigSetAdminRequest.Upload upload = new ConfigSetAdminRequest.Upload();
            upload.setConfigSetName(CONFIGSET);
            upload.setUploadFile(zip.toFile(), "application/octet-stream");
            upload.setOverwrite(true);
            upload.setCleanup(true);
            upload.process(client);
        } finally {
            Files.deleteIfExists(zip);
        }
        List<String> existing = CollectionAdminRequest.listCollections(client);
        List<Result> results = new ArrayList<>();
        for (String collection : collections) {
            if (existing.contains(collection)) {
                CollectionAdminRequest.reloadCollection(collection).process(client);
                results.add(new Result(collection, Outcome.RELOADED));
            } else {
                CollectionAdminRequest.createCollection(collection, CONFIGSET, shards, replicas).process(client);
                results.add(new Result(collection, Outcome.CREATED));
            }
        }
        return results;
    }

    /** Whether the configset is already in the cluster. */
    public static boolean configsetExists(SolrClient client) throws IOException, SolrServerException {
        ConfigSetAdminResponse.List list = new ConfigSetAdminRequest.List().process(client);
        return list.getConfigSets().contains(CONFIGSET);
    }

    /** The shipped configset as a zip, the form Solr's configset API takes. */
    static byte[] configsetZip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String file : CONFIGSET_FILES) {
                try (InputStream in = SolrCollections.class.getResourceAsStream(RESOURCE_DIR + file)) {
                    if (in == null) {
                        throw new IllegalStateException("configset file " + file + " is missing from the jar");
                    }
                    zip.putNextEntry(new ZipEntry(file));
                    in.transferTo(zip);
                    zip.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
