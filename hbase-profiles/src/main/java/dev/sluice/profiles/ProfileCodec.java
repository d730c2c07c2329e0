package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.schema.Attribute;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps profiles to HBase rows and back: one typed cell per attribute in the schema's family. Thread-safe. */
public final class ProfileCodec {

    private final ProfileSchema schema;
    private final Buckets buckets;
    private final byte[] family;
    // The schema's attributes in schema order, and their qualifiers sorted as HBase sorts a row's cells
    // (with each one's position in schema order), for decoding a row in one pass over its cells.
    private final Attribute[] inSchemaOrder;
    private final byte[][] sortedQualifiers;
    private final int[] schemaPositionOfSorted;

    public ProfileCodec(ProfileSchema schema, Buckets buckets) {
        this.schema = schema;
        this.buckets = buckets;
        this.family = schema.familyBytes();
        this.inSchemaOrder = schema.attributes().values().toArray(new Attribute[0]);
        Integer[] order = new Integer[inSchemaOrder.length];
        byte[][] qualifiers = new byte[inSchemaOrder.length][];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            qualifiers[i] = inSchemaOrder[i].qualifier();
        }
        Arrays.sort(order, Comparator.comparing(i -> qualifiers[i], Bytes::compareTo));
        this.sortedQualifiers = new byte[order.length][];
        this.schemaPositionOfSorted = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            sortedQualifiers[i] = qualifiers[order[i]];
            schemaPositionOfSorted[i] = order[i];
        }
    }

    public ProfileSchema schema() {
        return schema;
    }

    public Buckets buckets() {
        return buckets;
    }

    public byte[] rowKey(String key) {
        return ProfileRowKey.of(buckets, key);
    }

    public Put toPut(Profile profile) {
        Put put = new Put(rowKey(profile.key()));
        profile.attributes().forEach((name, value) -> {
            Attribute attribute = schema.attribute(name).orElseThrow(() ->
                    new IllegalArgumentException("profile " + profile.key() + " has attribute '" + name + "', which the schema does not declare"));
            put.addColumn(family, attribute.qualifier(), attribute.type().encode(value));
        });
        return put;
    }

    /** The profile in a row, or null for an empty result. Columns the schema does not declare are skipped. */
    public Profile fromResult(Result result) {
        if (result == null || result.isEmpty()) {
            return null;
        }
        // One pass over the row's cells (sorted by qualifier, newest version first), merged with the
        // schema's sorted qualifiers. Result.getValue per attribute binary-searches the row each time:
        // that search was the largest CPU user of a bucket scan's client (JFR, 1M profiles).
        Object[] values = new Object[inSchemaOrder.length];
        int next = 0;
        for (Cell cell : result.rawCells()) {
            if (!CellUtil.matchingFamily(cell, family)) {
                continue;
            }
            int cmp = -1;
            while (next < sortedQualifiers.length
                    && (cmp = CellUtil.compareQualifiers(cell, sortedQualifiers[next], 0, sortedQualifiers[next].length)) > 0) {
                next++;
            }
            if (next == sortedQualifiers.length) {
                break;
            }
            if (cmp == 0) {
                int position = schemaPositionOfSorted[next];
                values[position] = inSchemaOrder[position].type().decode(CellUtil.cloneValue(cell));
                next++; // older versions of the same column, if any, compare below the next qualifier and are skipped
            }
        }
        // In schema order, not HBase's column order, so profiles read the way the schema declares them.
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                attributes.put(inSchemaOrder[i].name(), values[i]);
            }
        }
        return new Profile(ProfileRowKey.keyOf(result.getRow()), attributes);
    }
}
