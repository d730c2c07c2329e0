package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.RegionLocator;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter;
import org.apache.hadoop.hbase.filter.MultiRowRangeFilter;
import org.apache.hadoop.hbase.util.Bytes;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads and writes profiles in the bucket-aligned {@code profiles} table.
 *
 * <ul>
 *   <li>{@link #get} and {@link #getAll}: point reads; {@code getAll} sends one batch for all keys
 *       (one RPC per region server).</li>
 *   <li>{@link #scanBuckets}: every profile of a set of buckets, as prefix ranges, one parallel scan
 *       per region that holds any of them (a {@link MultiRowRangeFilter} skips between ranges).</li>
 *   <li>{@link #put} and {@link #delete}: write HBase first, then publish the change to the update
 *       stream and wait for Kafka's acknowledgement, so a change that returned is in both.</li>
 * </ul>
 *
 * <p>The schema and bucket count come from the table itself (see {@link ProfileTables}). The
 * connection and the update publisher belong to the caller. Thread-safe.
 */
public final class ProfileStore {

    private static final int SCAN_CACHING = 1000;

    private final Connection connection;
    private final TableName tableName;
    private final ProfileCodec codec;
    private final ProfileUpdates updates;

    private ProfileStore(Connection connection, TableName tableName, ProfileCodec codec, ProfileUpdates updates) {
        this.connection = connection;
        this.tableName = tableName;
        this.codec = codec;
        this.updates = updates;
    }

    /**
     * Opens the store on an existing profiles table.
     *
     * @param updates where writes are published, or null for a read-only store (writes then fail)
     */
    public static ProfileStore open(Connection connection, TableName table, ProfileUpdates updates) throws IOException {
        try (Admin admin = connection.getAdmin()) {
            if (!admin.tableExists(table)) {
                throw new IllegalStateException("table " + table + " does not exist: create it with 'sluice profiles init --schema FILE'");
            }
            return new ProfileStore(connection, table, new ProfileCodec(ProfileTables.schemaOf(admin, table),
                    ProfileTables.bucketsOf(admin, table)), updates);
        }
    }

    public ProfileSchema schema() {
        return codec.schema();
    }

    public Buckets buckets() {
        return codec.buckets();
    }

    public ProfileCodec codec() {
        return codec;
    }

    public TableName tableName() {
        return tableName;
    }

    public Optional<Profile> get(String key) throws IOException {
        try (Table table = connection.getTable(tableName)) {
            return Optional.ofNullable(codec.fromResult(table.get(new Get(codec.rowKey(key)).addFamily(codec.schema().familyBytes()))));
        }
    }

    /** The profiles of the keys that have one, keyed by entity key, in one batched call. */
    public Map<String, Profile> getAll(Collection<String> keys) throws IOException {
        List<Get> gets = new ArrayList<>(keys.size());
        byte[] family = codec.schema().familyBytes();
        for (String key : keys) {
            gets.add(new Get(codec.rowKey(key)).addFamily(family));
        }
        Map<String, Profile> profiles = new LinkedHashMap<>();
        try (Table table = connection.getTable(tableName)) {
            for (Result result : table.get(gets)) {
                Profile profile = codec.fromResult(result);
                if (profile != null) {
                    profiles.put(profile.key(), profile);
                }
            }
        }
        return profiles;
    }

    /**
     * Streams every profile whose bucket is in {@code buckets}.
     *
     * @param sink receives each profile; called from up to {@code parallelism} threads at once
     * @return the number of profiles delivered
     */
    public long scanBuckets(int[] buckets, int parallelism, Consumer<Profile> sink, ScanListener listener) throws IOException {
        List<byte[][]> ranges = ProfileRowKey.ranges(buckets);
        if (ranges.isEmpty()) {
            return 0;
        }
        List<List<MultiRowRangeFilter.RowRange>> perRegion = rangesPerRegion(ranges);
        AtomicLong rows = new AtomicLong();
        AtomicInteger regionsDone = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, perRegion.size())), r -> {
            Thread thread = new Thread(r, "profile-scan");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> scans = new ArrayList<>();
            for (List<MultiRowRangeFilter.RowRange> regionRanges : perRegion) {
                scans.add(executor.submit(() -> {
                    scanRanges(regionRanges, sink, rows);
                    listener.progress(regionsDone.incrementAndGet(), perRegion.size(), rows.get());
                    return null;
                }));
            }
            for (Future<?> scan : scans) {
                scan.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while scanning buckets");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("bucket scan failed: " + cause, cause);
        } finally {
            executor.shutdownNow();
        }
        return rows.get();
    }

    private void scanRanges(List<MultiRowRangeFilter.RowRange> ranges, Consumer<Profile> sink, AtomicLong rows) throws IOException {
        Scan scan = new Scan().addFamily(codec.schema().familyBytes()).setCaching(SCAN_CACHING).setCacheBlocks(false)
                .withStartRow(ranges.get(0).getStartRow())
                .withStopRow(ranges.get(ranges.size() - 1).getStopRow());
        if (ranges.size() > 1) {
            scan.setFilter(new MultiRowRangeFilter(ranges));
        }
        try (Table table = connection.getTable(tableName); ResultScanner scanner = table.getScanner(scan)) {
            for (Result result : scanner) {
                sink.accept(codec.fromResult(result));
                rows.incrementAndGet();
            }
        }
    }

    /** Splits the ranges at region boundaries and groups them by region, so each region is scanned once. */
    private List<List<MultiRowRangeFilter.RowRange>> rangesPerRegion(List<byte[][]> ranges) throws IOException {
        List<HRegionLocation> regions;
        try (RegionLocator locator = connection.getRegionLocator(tableName)) {
            regions = locator.getAllRegionLocations();
        }
        List<List<MultiRowRangeFilter.RowRange>> perRegion = new ArrayList<>();
        for (HRegionLocation region : regions) {
            byte[] regionStart = region.getRegion().getStartKey();
            byte[] regionEnd = region.getRegion().getEndKey();
            List<MultiRowRangeFilter.RowRange> inRegion = new ArrayList<>();
            for (byte[][] range : ranges) {
                byte[] start = max(range[0], regionStart);
                byte[] stop = minStop(range[1], regionEnd);
                if (stop.length == 0 || Bytes.compareTo(start, stop) < 0) {
                    inRegion.add(new MultiRowRangeFilter.RowRange(start, true, stop, false));
                }
            }
            if (!inRegion.isEmpty()) {
                perRegion.add(inRegion);
            }
        }
        return perRegion;
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Bytes.compareTo(a, b) >= 0 ? a : b;
    }

    /** The smaller of two stop rows, where an empty stop row means "end of table". */
    private static byte[] minStop(byte[] a, byte[] b) {
        if (a.length == 0) {
            return b;
        }
        if (b.length == 0) {
            return a;
        }
        return Bytes.compareTo(a, b) <= 0 ? a : b;
    }

    /** Writes the profile (its attributes overwrite, others stay) and publishes it. */
    public void put(Profile profile) throws IOException {
        requireWritable();
        try (Table table = connection.getTable(tableName)) {
            table.put(codec.toPut(profile));
        }
        // Publish what the row now holds, so the update carries the whole profile.
        Profile stored = get(profile.key()).orElse(profile);
        await(updates.publish(stored, codec.schema()), "publishing the update of " + profile.key());
    }

    /** Deletes the profile and publishes a tombstone. */
    public void delete(String key) throws IOException {
        requireWritable();
        try (Table table = connection.getTable(tableName)) {
            table.delete(new Delete(codec.rowKey(key)));
        }
        await(updates.publishDelete(key), "publishing the deletion of " + key);
    }

    /** Row count (a key-only scan), for operators. */
    public long countRows() throws IOException {
        long count = 0;
        Scan scan = new Scan().setFilter(new FirstKeyOnlyFilter()).setCaching(SCAN_CACHING).setCacheBlocks(false);
        try (Table table = connection.getTable(tableName); ResultScanner scanner = table.getScanner(scan)) {
            for (Result ignored : scanner) {
                count++;
            }
        }
        return count;
    }

    private void requireWritable() {
        if (updates == null) {
            throw new IllegalStateException("this ProfileStore was opened without an update publisher: writes would not reach the consumers");
        }
    }

    private static void await(Future<?> future, String what) throws IOException {
        try {
            future.get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + what);
        } catch (ExecutionException e) {
            throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(what + " timed out", e);
        }
    }
}
