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

import static org.assertj.core.api.Assertions.assertThat;

class EnrichedEventSerializerTest {

    private static final byte[] FAMILY = Bytes.toBytes("e");

    private static List<Row> actionsFor(byte[] body) {
        EnrichedEventSerializer serializer = new EnrichedEventSerializer();
        serializer.configure(new Context());
        serializer.initialize(EventBuilder.withBody(body), FAMILY);
        return serializer.getActions();
    }

    @Test
    void anEnrichedEventBecomesOneRowUnderItsDeterministicKeyWithTheBytesAsReceived() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("amount", 12.5);
        ObjectNode profile = JsonNodeFactory.instance.objectNode().put("segment", "gold");
        Instant eventTime = Instant.parse("2026-12-05T08:00:00.123Z");
        byte[] value = new EventCodec().encode(new Event("ev-1", "card-7", eventTime, eventTime, body, profile));

        List<Row> first = actionsFor(value);
        List<Row> again = actionsFor(value);

        assertThat(first).hasSize(1);
        Put put = (Put) first.get(0);
        assertThat(put.getRow()).isEqualTo(EventRowKey.of(Buckets.defaults(), "card-7", eventTime, "ev-1"));
        assertThat(((Put) again.get(0)).getRow()).isEqualTo(put.getRow());
        assertThat(value(put, "id")).isEqualTo("ev-1");
        assertThat(value(put, "key")).isEqualTo("card-7");
        assertThat(value(put, "event_time")).isEqualTo("2026-12-05T08:00:00.123Z");
        assertThat(put.get(FAMILY, Bytes.toBytes("json")).get(0)).satisfies(cell ->
                assertThat(org.apache.hadoop.hbase.CellUtil.cloneValue(cell)).isEqualTo(value));
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
