package dev.sluice.profiles;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellComparator;
import org.apache.hadoop.hbase.KeyValue;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileCodecTest {

    // Schema order differs from HBase's qualifier order on purpose.
    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            attributes:
              segment: string
              credit_limit: double
              vip: boolean
              avg_amount_30d: double
            enrich: [segment]
            """, "test");

    private final ProfileCodec codec = new ProfileCodec(SCHEMA, Buckets.defaults());

    @Test
    void decodesARowInSchemaOrderSkippingUndeclaredColumnsAndOlderVersions() throws Exception {
        Profile written = new Profile("card-7", Map.of("segment", "gold", "credit_limit", 1500.0, "vip", true, "avg_amount_30d", 12.5));
        Put put = codec.toPut(written);
        byte[] row = put.getRow();
        byte[] family = SCHEMA.familyBytes();
        List<Cell> cells = new ArrayList<>();
        for (List<Cell> column : put.getFamilyCellMap().values()) {
            for (Cell cell : column) {
                cells.add(new KeyValue(row, family, cloneQualifier(cell), 200L, KeyValue.Type.Put, cloneValue(cell)));
            }
        }
        // An older version of 'segment' and a column the schema does not declare, between declared ones.
        cells.add(new KeyValue(row, family, Bytes.toBytes("segment"), 100L, KeyValue.Type.Put, Bytes.toBytes("basic")));
        cells.add(new KeyValue(row, family, Bytes.toBytes("legacy_flag"), 200L, KeyValue.Type.Put, Bytes.toBytes("x")));
        cells.sort(CellComparator.getInstance());

        Profile read = codec.fromResult(Result.create(cells));

        assertThat(read.key()).isEqualTo("card-7");
        assertThat(read.attributes()).containsExactly(Map.entry("segment", "gold"), Map.entry("credit_limit", 1500.0),
                Map.entry("vip", true), Map.entry("avg_amount_30d", 12.5));
    }

    @Test
    void aRowWithSomeAttributesDecodesToThoseAndAnEmptyResultToNull() {
        Profile written = new Profile("card-8", Map.of("vip", false));
        Put put = codec.toPut(written);
        List<Cell> cells = new ArrayList<>(put.getFamilyCellMap().values().iterator().next());
        assertThat(codec.fromResult(Result.create(cells)).attributes()).containsExactly(Map.entry("vip", false));
        assertThat(codec.fromResult(Result.create(List.of()))).isNull();
    }

    private static byte[] cloneQualifier(Cell cell) {
        return org.apache.hadoop.hbase.CellUtil.cloneQualifier(cell);
    }

    private static byte[] cloneValue(Cell cell) {
        return org.apache.hadoop.hbase.CellUtil.cloneValue(cell);
    }
}
