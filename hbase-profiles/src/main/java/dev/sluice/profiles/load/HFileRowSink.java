package dev.sluice.profiles.load;

import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import dev.sluice.profiles.schema.Attribute;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.Compressor;
import org.apache.hadoop.hbase.KeyValue;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.RegionLocator;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.hadoop.hbase.io.hfile.HFileContext;
import org.apache.hadoop.hbase.io.hfile.HFileContextBuilder;
import org.apache.hadoop.hbase.regionserver.HStoreFile;
import org.apache.hadoop.hbase.regionserver.StoreFileWriter;
import org.apache.hadoop.hbase.tool.BulkLoadHFiles;
import org.apache.hadoop.hbase.util.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Bulk mode: profiles are sorted in memory and written as HFiles (one per region per spill) under a
 * staging directory, then handed to the region servers with {@link BulkLoadHFiles}, as HBase's own
 * {@code ImportTsv}/{@code HFileOutputFormat2} do. This skips the write path — WAL, memstore
 * inserts, the flushes and compactions they cause — which is where a put-based load spends the
 * region server's CPU (BENCHMARKS.md).
 *
 * <p>What differs from {@link MutatorRowSink}: rows become readable only at {@link #finish()}, all
 * at once per region; a load that fails before then leaves the table untouched. The staging
 * directory must be on a filesystem the region servers can read (a local directory for the
 * single-host stack, HDFS for a cluster). A later row for the same key overrides the attributes
 * it carries, as a later put would: within a spill rows are merged, across spills each spill's
 * cells carry a later timestamp.
 */
public final class HFileRowSink implements ProfileRowSink {

    private static final Logger LOG = LoggerFactory.getLogger(HFileRowSink.class);

    /** A row's fixed cost in the sort buffer beyond its bytes (object headers, references). */
    private static final int ROW_OVERHEAD = 64;
    private static final int CELL_OVERHEAD = 24;

    private final Configuration conf;
    private final TableName table;
    private final ProfileCodec codec;
    private final byte[] family;
    private final ColumnFamilyDescriptor familyDescriptor;
    /** The schema's attributes in HBase cell order (qualifier bytes), and each name's index in it. */
    private final Attribute[] columns;
    private final byte[][] qualifiers;
    private final Map<String, Integer> columnIndex = new HashMap<>();
    /** Start row of every region, ascending; the first is empty. */
    private final byte[][] regionStarts;
    private final FileSystem fs;
    private final Path staging;
    private final Path familyDir;
    private final boolean copyFromStaging;
    private final long bufferBytes;
    private final Compression.Algorithm compression;

    private final List<PendingRow> buffer = new ArrayList<>();
    private long buffered;
    private long lastTimestamp;
    private int spills;
    private long filesWritten;

    private record PendingRow(byte[] row, byte[][] values) {
    }

    private HFileRowSink(Connection connection, TableName table, ProfileCodec codec, URI stagingParent, long bufferBytes)
            throws IOException {
        this.conf = new Configuration(connection.getConfiguration());
        this.table = table;
        this.codec = codec;
        this.family = codec.schema().familyBytes();
        try (Admin admin = connection.getAdmin()) {
            this.familyDescriptor = admin.getDescriptor(table).getColumnFamily(family);
        }
        if (familyDescriptor == null) {
            throw new IOException("table " + table + " has no column family '" + codec.schema().family() + "'");
        }
        this.columns = codec.schema().attributes().values().stream()
                .sorted(Comparator.comparing(Attribute::qualifier, Bytes.BYTES_COMPARATOR))
                .toArray(Attribute[]::new);
        this.qualifiers = new byte[columns.length][];
        for (int i = 0; i < columns.length; i++) {
            qualifiers[i] = columns[i].qualifier();
            columnIndex.put(columns[i].name(), i);
        }
        try (RegionLocator locator = connection.getRegionLocator(table)) {
            byte[][] starts = locator.getStartKeys();
            Arrays.sort(starts, Bytes.BYTES_COMPARATOR);
            this.regionStarts = starts;
        }
        Path parent = new Path(stagingParent);
        this.fs = parent.getFileSystem(conf);
        this.staging = new Path(parent, "sluice-load-" + table.getNameAsString().replace(':', '_') + "-" + UUID.randomUUID());
        this.familyDir = new Path(staging, Bytes.toString(family));
        if (!fs.mkdirs(familyDir)) {
            throw new IOException("cannot create the bulk-load staging directory " + familyDir);
        }
        // A local staging directory may sit on another device than HBase's root: a rename would fail
        // there, so the region server copies. On HDFS it moves the files (same filesystem).
        this.copyFromStaging = "file".equals(fs.getUri().getScheme());
        this.bufferBytes = bufferBytes;
        this.compression = usableCompression(familyDescriptor.getCompressionType(), table);
    }

    /**
     * The family's compression if this JVM can compress with it, else none. The shaded HBase jars
     * relocate snappy-java's classes away from its native library, so Snappy, for one, works on
     * the region servers but not here; the region server compresses the files when it next
     * compacts them.
     */
    private static Compression.Algorithm usableCompression(Compression.Algorithm wanted, TableName table) {
        if (wanted == Compression.Algorithm.NONE) {
            return wanted;
        }
        try {
            Compressor compressor = wanted.getCompressor();
            try (OutputStream out = wanted.createCompressionStream(OutputStream.nullOutputStream(), compressor, 0)) {
                out.write(new byte[256]);
            } finally {
                wanted.returnCompressor(compressor);
            }
            return wanted;
        } catch (Exception | LinkageError e) {
            LOG.warn("{} compression is not usable in this JVM ({}): writing uncompressed HFiles; the region server "
                    + "compresses them at the next major compaction of {}", wanted, e.toString(), table);
            return Compression.Algorithm.NONE;
        }
    }

    /**
     * @param stagingParent a directory the region servers can read; the sink works in a fresh
     *                      subdirectory of it and deletes it on {@link #close()}
     * @param bufferBytes   rows sorted in memory before they are written out as one set of HFiles
     */
    public static HFileRowSink open(Connection connection, TableName table, ProfileCodec codec, URI stagingParent,
                                    long bufferBytes) throws IOException {
        return new HFileRowSink(connection, table, codec, stagingParent, bufferBytes);
    }

    /** With the defaults: staging in {@link #defaultStaging()}, a buffer of {@link #defaultBufferBytes()}. */
    public static HFileRowSink open(Connection connection, TableName table, ProfileCodec codec) throws IOException {
        return open(connection, table, codec, defaultStaging(), defaultBufferBytes());
    }

    /** The local temporary directory: what a region server on the same host (the local stack) can read. */
    public static URI defaultStaging() {
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toUri();
    }

    /** A sort buffer of a quarter of the heap, at most 256 MB. */
    public static long defaultBufferBytes() {
        return Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    @Override
    public void write(Profile profile) throws IOException {
        byte[] row = codec.rowKey(profile.key());
        byte[][] values = new byte[columns.length][];
        long size = ROW_OVERHEAD + row.length;
        for (Map.Entry<String, Object> attribute : profile.attributes().entrySet()) {
            Integer index = columnIndex.get(attribute.getKey());
            if (index == null) {
                throw new IllegalArgumentException("profile " + profile.key() + " has attribute '" + attribute.getKey()
                        + "', which the schema does not declare");
            }
            values[index] = columns[index].type().encode(attribute.getValue());
            size += values[index].length + CELL_OVERHEAD;
        }
        buffer.add(new PendingRow(row, values));
        buffered += size;
        if (buffered >= bufferBytes) {
            spill();
        }
    }

    @Override
    public boolean incremental() {
        return false;
    }

    @Override
    public void finish() throws IOException {
        spill();
        if (filesWritten == 0) {
            return;
        }
        Configuration loadConf = new Configuration(conf);
        loadConf.setBoolean(BulkLoadHFiles.ALWAYS_COPY_FILES, copyFromStaging);
        // One file per region per spill: let a region take all of them in one load.
        loadConf.setInt(BulkLoadHFiles.MAX_FILES_PER_REGION_PER_FAMILY, Math.max(32, spills + 1));
        long began = System.nanoTime();
        Map<BulkLoadHFiles.LoadQueueItem, ?> loaded = BulkLoadHFiles.create(loadConf).bulkLoad(table, staging);
        if (loaded.isEmpty()) {
            throw new IOException("HBase loaded none of the " + filesWritten + " HFiles staged in " + staging);
        }
        LOG.info("Bulk-loaded {} HFiles ({} spills) into {} in {} ms", loaded.size(), spills, table,
                (System.nanoTime() - began) / 1_000_000);
    }

    @Override
    public void close() throws IOException {
        fs.delete(staging, true);
    }

    /** Sorts the buffer, merges repeated keys, and writes one HFile per region it touches. */
    private void spill() throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        // Stable sort: rows of the same key stay in file order, so the later one's values win below.
        buffer.sort((a, b) -> Bytes.compareTo(a.row(), b.row()));
        // Each spill's cells get a later timestamp than the last, so across spills the later file wins too.
        long timestamp = Math.max(System.currentTimeMillis(), lastTimestamp + 1);
        lastTimestamp = timestamp;
        HFileContext context = fileContext();
        int region = -1;
        StoreFileWriter writer = null;
        try {
            for (int i = 0; i < buffer.size(); i++) {
                PendingRow row = buffer.get(i);
                while (i + 1 < buffer.size() && Bytes.equals(row.row(), buffer.get(i + 1).row())) {
                    row = merge(row, buffer.get(++i));
                }
                int rowRegion = regionOf(row.row(), Math.max(region, 0));
                if (rowRegion != region) {
                    close(writer);
                    writer = new StoreFileWriter.Builder(conf, fs).withOutputDir(familyDir)
                            .withBloomType(familyDescriptor.getBloomFilterType()).withFileContext(context).build();
                    filesWritten++;
                    region = rowRegion;
                }
                for (int c = 0; c < columns.length; c++) {
                    if (row.values()[c] != null) {
                        writer.append(new KeyValue(row.row(), family, qualifiers[c], timestamp, KeyValue.Type.Put, row.values()[c]));
                    }
                }
            }
        } finally {
            close(writer);
        }
        spills++;
        buffer.clear();
        buffered = 0;
    }

    private static PendingRow merge(PendingRow earlier, PendingRow later) {
        byte[][] values = earlier.values().clone();
        for (int c = 0; c < values.length; c++) {
            if (later.values()[c] != null) {
                values[c] = later.values()[c];
            }
        }
        return new PendingRow(later.row(), values);
    }

    /** The region holding {@code row}, searching forward from {@code from} (rows arrive sorted). */
    private int regionOf(byte[] row, int from) {
        int region = from;
        while (region + 1 < regionStarts.length && Bytes.compareTo(row, regionStarts[region + 1]) >= 0) {
            region++;
        }
        return region;
    }

    private HFileContext fileContext() {
        return new HFileContextBuilder()
                .withCompression(compression)
                .withBlockSize(familyDescriptor.getBlocksize())
                .withDataBlockEncoding(familyDescriptor.getDataBlockEncoding())
                .withIncludesTags(true)
                .withColumnFamily(family)
                .withTableName(table.getName())
                .build();
    }

    private static void close(StoreFileWriter writer) throws IOException {
        if (writer == null) {
            return;
        }
        // The metadata HFileOutputFormat2 writes: marks the file as bulk-loaded for the region server.
        writer.appendFileInfo(HStoreFile.BULKLOAD_TIME_KEY, Bytes.toBytes(System.currentTimeMillis()));
        writer.appendFileInfo(HStoreFile.BULKLOAD_TASK_KEY, Bytes.toBytes("sluice profiles load"));
        writer.appendFileInfo(HStoreFile.MAJOR_COMPACTION_KEY, Bytes.toBytes(false));
        writer.appendFileInfo(HStoreFile.EXCLUDE_FROM_MINOR_COMPACTION_KEY, Bytes.toBytes(false));
        writer.appendTrackedTimestampsToMetadata();
        writer.close();
    }
}
