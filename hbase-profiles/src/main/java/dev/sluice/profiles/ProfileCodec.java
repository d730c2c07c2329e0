package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.schema.Attribute;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;

import java.util.LinkedHashMap;
import java.util.Map;

/** Maps profiles to HBase rows and back: one typed cell per attribute in the schema's family. Thread-safe. */
public final class ProfileCodec {

    private final ProfileSchema schema;
    private final Buckets buckets;
    private final byte[] family;

    public ProfileCodec(ProfileSchema schema, Buckets buckets) {
        this.schema = schema;
        this.buckets = buckets;
        this.family = schema.familyBytes();
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
        // In schema order, not HBase's column order, so profiles read the way the schema declares them.
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Attribute attribute : schema.attributes().values()) {
            byte[] value = result.getValue(family, attribute.qualifier());
            if (value != null) {
                attributes.put(attribute.name(), attribute.type().decode(value));
            }
        }
        return new Profile(ProfileRowKey.keyOf(result.getRow()), attributes);
    }
}
