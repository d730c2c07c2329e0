package dev.sluice.profiles.flume;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import dev.sluice.common.event.RawEvent;
import org.apache.flume.Context;
import org.apache.flume.conf.ComponentConfiguration;
import org.apache.flume.sink.hbase2.HBase2EventSerializer;
import org.apache.hadoop.hbase.client.Increment;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serializer for Flume 1.11's {@code hbase2} sink: writes each enriched Sluice event to the
 * {@code events} table under a deterministic row key ({@link EventRowKey}), so a replayed or
 * redelivered event overwrites itself instead of adding a row.
 *
 * <p>Columns, in the sink's column family: {@code json}, the whole event as received. The event's
 * key, time and id are already in the row key ({@link EventRowKey#parse}); {@code serializer.columns = all}
 * also writes them as the cells {@code id}, {@code key} and {@code event_time} (ISO-8601), for tools that
 * map columns rather than row keys (a Hive or Phoenix view). One cell per row is the default because
 * the region server's cost is per cell: its memstore inserts were 40 % of its CPU with four cells,
 * and the sink lands ~50 % more rows per second with one (BENCHMARKS.md, "Tier-2 landing").
 *
 * <p>An event that is not a Sluice envelope is not dropped and does not stall the sink (throwing
 * here would roll the sink's transaction back forever): it is written under the key
 * {@value #MALFORMED_KEY}, row id = SHA-1 of its bytes, with columns {@code raw} and {@code error},
 * and counted. {@code sluice}'s operators find them with a prefix scan of that key.
 *
 * <p>Sample agent configuration:
 * <pre>
 * agent.sinks.hbase.type = hbase2
 * agent.sinks.hbase.table = events
 * agent.sinks.hbase.columnFamily = e
 * agent.sinks.hbase.serializer = dev.sluice.profiles.flume.EnrichedEventSerializer
 * agent.sinks.hbase.serializer.buckets = 27720
 * </pre>
 *
 * <p>Keys ({@code serializer.*}): {@value #BUCKETS_KEY} (default 27720; must match the table's),
 * {@value #COLUMNS_KEY} ({@code json}, the default, or {@code all}).
 * One instance per sink, called from the sink's single thread.
 */
public class EnrichedEventSerializer implements HBase2EventSerializer {

    public static final String BUCKETS_KEY = "buckets";
    public static final String COLUMNS_KEY = "columns";
    public static final String MALFORMED_KEY = "~malformed";

    /** Which cells a row gets: the event alone, or also its key, time and id as columns. */
    public enum Columns { JSON, ALL }

    private static final Logger LOG = LoggerFactory.getLogger(EnrichedEventSerializer.class);
    private static final byte[] ID = bytes("id");
    private static final byte[] KEY = bytes("key");
    private static final byte[] EVENT_TIME = bytes("event_time");
    private static final byte[] JSON = bytes("json");
    private static final byte[] RAW = bytes("raw");
    private static final byte[] ERROR = bytes("error");

    private static final AtomicLong MALFORMED_TOTAL = new AtomicLong();

    private final EventCodec codec = new EventCodec(Integer.MAX_VALUE);
    private Buckets buckets = Buckets.defaults();
    private Columns columns = Columns.JSON;
    private byte[] family;
    private org.apache.flume.Event current;

    @Override
    public void configure(Context context) {
        Integer configured = context.getInteger(BUCKETS_KEY);
        if (configured != null) {
            try {
                buckets = Buckets.of(configured);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("serializer." + BUCKETS_KEY + ": " + e.getMessage(), e);
            }
        }
        String layout = context.getString(COLUMNS_KEY, "json").strip();
        try {
            columns = Columns.valueOf(layout.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serializer." + COLUMNS_KEY + ": '" + layout + "' is neither 'json' nor 'all'", e);
        }
    }

    @Override
    public void configure(ComponentConfiguration conf) {
        // Flume's component-configuration API is unused by the HBase sinks.
    }

    @Override
    public void initialize(org.apache.flume.Event event, byte[] columnFamily) {
        this.current = event;
        this.family = columnFamily;
    }

    @Override
    public List<Row> getActions() {
        byte[] body = current.getBody();
        try {
            // The envelope's fields with the same checks as a full decode, without building the body and profile
            // trees the row stores as the bytes received: that tree was the largest CPU user of the agent (JFR).
            RawEvent event = codec.decodeRaw(body);
            Put put = new Put(EventRowKey.of(buckets, event.key(), event.eventTime(), event.id()));
            if (columns == Columns.ALL) {
                put.addColumn(family, ID, bytes(event.id()));
                put.addColumn(family, KEY, bytes(event.key()));
                put.addColumn(family, EVENT_TIME, bytes(event.eventTime().toString()));
            }
            put.addColumn(family, JSON, body);
            return List.of(put);
        } catch (MalformedEventException e) {
            long count = MALFORMED_TOTAL.incrementAndGet();
            if (count == 1 || Long.bitCount(count) == 1) {
                LOG.warn("{} malformed event(s) written under key '{}' so far; latest: {}", count, MALFORMED_KEY, e.getMessage());
            }
            Put put = new Put(EventRowKey.of(buckets, MALFORMED_KEY, Instant.ofEpochMilli(0), sha1(body)));
            put.addColumn(family, RAW, body);
            put.addColumn(family, ERROR, bytes(e.reason() + ": " + e.getMessage()));
            return List.of(put);
        }
    }

    @Override
    public List<Increment> getIncrements() {
        return List.of();
    }

    @Override
    public void close() {
        current = null;
    }

    /** Malformed events seen by every serializer in this JVM. */
    public static long malformedTotal() {
        return MALFORMED_TOTAL.get();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha1(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
