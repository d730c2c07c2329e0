package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.hadoop.hbase.TableExistsException;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.hadoop.hbase.io.encoding.DataBlockEncoding;
import org.apache.hadoop.hbase.regionserver.BloomType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Creates Sluice's HBase tables, pre-split on bucket boundaries so every region holds a contiguous
 * run of buckets, with a ROW bloom filter and compression where the region server supports it.
 *
 * <p>The profiles table carries its schema and bucket count in its descriptor
 * ({@value #SCHEMA_METADATA}, {@value #BUCKETS_METADATA}): every reader and writer takes them from
 * the table, so they can never disagree with what was written. {@code init} is idempotent.
 */
public final class ProfileTables {

    public static final String DEFAULT_PROFILES_TABLE = "profiles";
    public static final String DEFAULT_EVENTS_TABLE = "events";
    public static final String EVENTS_FAMILY = "e";
    public static final String SCHEMA_METADATA = "sluice.profile.schema";
    public static final String BUCKETS_METADATA = "sluice.buckets";
    public static final int DEFAULT_REGIONS = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ProfileTables.class);

    /** What {@code init} did. */
    public enum Outcome { CREATED, SCHEMA_UPDATED, UNCHANGED }

    private ProfileTables() {
    }

    /** Split points at bucket boundaries: region i starts at bucket {@code i * B / regions}. */
    public static byte[][] splitKeys(Buckets buckets, int regions) {
        if (regions < 1 || regions > buckets.bucketCount()) {
            throw new IllegalArgumentException("regions must be between 1 and the bucket count " + buckets.bucketCount() + ", was " + regions);
        }
        byte[][] splits = new byte[regions - 1][];
        for (int i = 1; i < regions; i++) {
            splits[i - 1] = ProfileRowKey.prefix((int) ((long) i * buckets.bucketCount() / regions));
        }
        return splits;
    }

    /**
     * Creates the profiles table, or updates the schema stored with it.
     *
     * @throws IllegalStateException if the table exists with another bucket count or family:
     *     its rows could not be read with the new ones
     */
    public static Outcome initProfiles(Admin admin, TableName table, ProfileSchema schema, Buckets buckets, int regions,
                                       Compression.Algorithm compression) throws IOException {
        if (admin.tableExists(table)) {
            TableDescriptor existing = admin.getDescriptor(table);
            String storedBuckets = existing.getValue(BUCKETS_METADATA);
            if (storedBuckets != null && Integer.parseInt(storedBuckets) != buckets.bucketCount()) {
                throw new IllegalStateException("table " + table + " was written with " + BUCKETS_METADATA + "=" + storedBuckets
                        + "; it cannot be used with " + buckets.bucketCount() + " buckets (the bucket count is fixed for a deployment)");
            }
            if (!existing.hasColumnFamily(schema.familyBytes())) {
                throw new IllegalStateException("table " + table + " has no column family '" + schema.family()
                        + "'; the schema's family cannot change once profiles are stored");
            }
            if (schema.toYaml().equals(existing.getValue(SCHEMA_METADATA))) {
                return Outcome.UNCHANGED;
            }
            admin.modifyTable(TableDescriptorBuilder.newBuilder(existing).setValue(SCHEMA_METADATA, schema.toYaml()).build());
            return Outcome.SCHEMA_UPDATED;
        }
        TableDescriptor descriptor = TableDescriptorBuilder.newBuilder(table)
                // Point reads (get, multi-get) and the scans' range-to-range reseeks find a row by binary
                // search in its block instead of walking the block cell by cell (BENCHMARKS.md).
                .setColumnFamily(ColumnFamilyDescriptorBuilder.newBuilder(family(schema.familyBytes(), compression))
                        .setDataBlockEncoding(DataBlockEncoding.ROW_INDEX_V1).build())
                .setValue(SCHEMA_METADATA, schema.toYaml())
                .setValue(BUCKETS_METADATA, Integer.toString(buckets.bucketCount()))
                .build();
        return create(admin, descriptor, splitKeys(buckets, regions), schema.familyBytes());
    }

    /** Creates the events table that the HBase sink writes (row key: bucket | key | reversed time | id). */
    public static Outcome initEvents(Admin admin, TableName table, Buckets buckets, int regions,
                                     Compression.Algorithm compression) throws IOException {
        if (admin.tableExists(table)) {
            return Outcome.UNCHANGED;
        }
        byte[] family = EVENTS_FAMILY.getBytes(StandardCharsets.UTF_8);
        TableDescriptor descriptor = TableDescriptorBuilder.newBuilder(table)
                .setColumnFamily(family(family, compression))
                .setValue(BUCKETS_METADATA, Integer.toString(buckets.bucketCount()))
                .build();
        return create(admin, descriptor, splitKeys(buckets, regions), family);
    }

    private static Outcome create(Admin admin, TableDescriptor descriptor, byte[][] splits, byte[] family) throws IOException {
        try {
            admin.createTable(descriptor, splits.length == 0 ? null : splits);
        } catch (TableExistsException e) {
            return Outcome.UNCHANGED; // created concurrently by another init: same outcome
        } catch (IOException e) {
            Compression.Algorithm asked = descriptor.getColumnFamily(family).getCompressionType();
            if (asked == Compression.Algorithm.NONE || !String.valueOf(e.getMessage()).toLowerCase().contains("compression")) {
                throw e;
            }
            // The region server cannot load that codec: keep the table usable, say so once.
            LOG.warn("Compression {} is not available on the region servers ({}); creating {} uncompressed",
                    asked, e.getMessage(), descriptor.getTableName());
            admin.createTable(TableDescriptorBuilder.newBuilder(descriptor)
                    .modifyColumnFamily(ColumnFamilyDescriptorBuilder.newBuilder(descriptor.getColumnFamily(family))
                            .setCompressionType(Compression.Algorithm.NONE).build()).build(), splits.length == 0 ? null : splits);
        }
        return Outcome.CREATED;
    }

    private static ColumnFamilyDescriptor family(byte[] name, Compression.Algorithm compression) {
        return ColumnFamilyDescriptorBuilder.newBuilder(name)
                .setBloomFilterType(BloomType.ROW)
                .setCompressionType(compression)
                .setMaxVersions(1)
                .build();
    }

    /** The schema stored with the profiles table. */
    public static ProfileSchema schemaOf(Admin admin, TableName table) throws IOException {
        String yaml = admin.getDescriptor(table).getValue(SCHEMA_METADATA);
        if (yaml == null) {
            throw new IllegalStateException("table " + table + " has no profile schema: create it with 'sluice profiles init --schema FILE'");
        }
        return ProfileSchema.parse(yaml, "stored with table " + table);
    }

    /** The bucket count the table's rows were written with. */
    public static Buckets bucketsOf(Admin admin, TableName table) throws IOException {
        String value = admin.getDescriptor(table).getValue(BUCKETS_METADATA);
        return value == null ? Buckets.defaults() : Buckets.of(Integer.parseInt(value));
    }
}
