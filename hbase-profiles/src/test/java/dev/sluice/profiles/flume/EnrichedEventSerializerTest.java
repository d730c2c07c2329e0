package dev.sluice.profiles.flume;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import org.apache.flume.Context;
import org.apache.flume.event.EventBuilder;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Row;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrichedEventSerializerTest {

    private static final byte[] FAMILY = Bytes.toBytes("e");

    private static List<Row> actionsFor(byte[] body) {
        return actionsFor(body, new Context());
    }

    private static List<Row> actionsFor(byte[] body, Context context) {
        EnrichedEventSerializer serializer = new EnrichedEventSerializer();
        serializer.configure(context);
        serializer.initialize(EventBuilder.withBody(body), FAMILY);
        return serializer.getActions();
    }

    private static final Instant EVENT_TIME = Instant.parse("2026-12-05T08:00:00.123Z");

    private static byte[] enrichedEvent() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("amount", 12.5);
        ObjectNode profile = JsonNodeFactory.instance.objectNode().put("segment", "gold");
        return new EventCodec().encode(new Event("ev-1", "card-7", EVENT_TIME, EVENT_TIME, body, profile));
    }

    @Test
    void anEnrichedEventBecomesOneRowOfOneCellUnderItsDeterministicKeyWithTheBytesAsReceived() {
        byte[] value = enrichedEvent();

        List<Row> first = actionsFor(value);
        List<Row> again = actionsFor(value);

        assertThat(first).hasSize(1);
        Put put = (Put) first.get(0);
        assertThat(put.getRow()).isEqualTo(EventRowKey.of(Buckets.defaults(), "card-7", EVENT_TIME, "ev-1"));
        assertThat(((Put) again.get(0)).getRow()).isEqualTo(put.getRow());
        assertThat(put.size()).as("cells in the row").isEqualTo(1);
        assertThat(put.get(FAMILY, Bytes.toBytes("json")).get(0)).satisfies(cell ->
                assertThat(org.apache.hadoop.hbase.CellUtil.cloneValue(cell)).isEqualTo(value));
        assertThat(EventRowKey.parse(put.getRow())).isEqualTo(new EventRowKey.Parts("card-7", EVENT_TIME, "ev-1"));
    }

    @Test
    void columnsAllAlsoWritesTheKeyTimeAndIdAsCells() {
        byte[] value = enrichedEvent();
        Put put = (Put) actionsFor(value, new Context(Map.of("columns", "all"))).get(0);

        assertThat(put.size()).isEqualTo(4);
        assertThat(value(put, "id")).isEqualTo("ev-1");
        assertThat(value(put, "key")).isEqualTo("card-7");
        assertThat(value(put, "event_time")).isEqualTo("2026-12-05T08:00:00.123Z");
        assertThat(put.get(FAMILY, Bytes.toBytes("json")).get(0)).satisfies(cell ->
                assertThat(org.apache.hadoop.hbase.CellUtil.cloneValue(cell)).isEqualTo(value));
    }

    @Test
    void anUnknownColumnsLayoutFailsAtConfigureNamingTheKey() {
        EnrichedEventSerializer serializer = new EnrichedEventSerializer();
        assertThatThrownBy(() -> serializer.configure(new Context(Map.of("columns", "some"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serializer.columns")
                .hasMessageContaining("'some'");
    }

    @Test
    void aRowKeyThatIsNotAnEventsRowKeyIsRejectedWithTheReason() {
        assertThatThrownBy(() -> EventRowKey.parse(new byte[] {0, 1, 'a', 'b'}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 0x00 after the key");
    }

    @Test
    void aRowKeyKeepsAKeyOfAnyScriptAndTheTimeToTheMillisecond() {
        Instant time = Instant.parse("1999-12-31T23:59:59.999Z");
        byte[] row = EventRowKey.of(Buckets.of(16), "carte-été-🙂", time, "id:with:colons");
        assertThat(EventRowKey.parse(row)).isEqualTo(new EventRowKey.Parts("carte-été-🙂", time, "id:with:colons"));
    }

    @Test
    void aMalformedEventIsWrittenUnderTheMalformedKeyWithItsReason() {
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        Put put = (Put) actionsFor(garbage).get(0);
        assertThat(value(put, "raw")).isEqualTo("not json");
        assertThat(value(put, "error")).isNotBlank();
        assertThat(put.get(FAMILY, Bytes.toBytes("id"))).isEmpty();
    }

    private static String value(Put put, String qualifier) {
        return Bytes.toString(org.apache.hadoop.hbase.CellUtil.cloneValue(put.get(FAMILY, Bytes.toBytes(qualifier)).get(0)));
    }
}
