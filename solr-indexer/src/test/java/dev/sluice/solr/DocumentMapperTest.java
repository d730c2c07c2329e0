package dev.sluice.solr;

import org.apache.solr.common.SolrInputDocument;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentMapperTest {

    private final DocumentMapper events = new DocumentMapper(DocumentMapper.Format.EVENT, 100, 1 << 20);
    private final DocumentMapper alerts = new DocumentMapper(DocumentMapper.Format.ALERT, 100, 1 << 20);

    @Test
    void flattensAnEnrichedEventIntoTypedFields() throws Exception {
        SolrInputDocument doc = events.toDocument(bytes("""
                {"id":"e1","key":"card-1","eventTime":"2026-11-21T10:00:00Z","ingestTime":1763719200500,
                 "body":{"amount":12,"merchant":{"name":"Bakery","country":"FR"},"tags":["a","b"],"card-id":"card-1","n":null,"ok":true},
                 "profile":{"segment":"gold","credit_limit":1500.5}}"""));

        assertThat(doc.getFieldValue("id")).isEqualTo("e1");
        assertThat(doc.getFieldValue("key")).isEqualTo("card-1");
        assertThat(doc.getFieldValue("event_time")).isEqualTo(Date.from(java.time.Instant.parse("2026-11-21T10:00:00Z")));
        assertThat(doc.getFieldValue("ingest_time")).isEqualTo(new Date(1763719200500L));
        assertThat(doc.getFieldValue("body_amount_d")).isEqualTo(12.0);
        assertThat(doc.getFieldValue("body_merchant_name_s")).isEqualTo("Bakery");
        assertThat(doc.getFieldValue("body_merchant_country_s")).isEqualTo("FR");
        assertThat(doc.getFieldValues("body_tags_ss")).containsExactly("a", "b");
        assertThat(doc.getFieldValue("body_card_id_s")).isEqualTo("card-1");
        assertThat(doc.getFieldValue("body_ok_b")).isEqualTo(true);
        assertThat(doc.getFieldNames()).noneMatch(name -> name.startsWith("body_n"));
        assertThat(doc.getFieldValue("profile_segment_s")).isEqualTo("gold");
        assertThat(doc.getFieldValue("profile_credit_limit_d")).isEqualTo(1500.5);
    }

    @Test
    void refusesWhatIsNotASluiceEventWithTheReason() {
        assertThatThrownBy(() -> events.toDocument(bytes("not json")))
                .isInstanceOfSatisfying(DocumentMapper.Rejection.class, r -> assertThat(r.reason()).isEqualTo(RejectedRecord.MALFORMED_EVENT));
        assertThatThrownBy(() -> events.toDocument(bytes("{\"id\":\"e1\",\"eventTime\":\"2026-11-21T10:00:00Z\",\"ingestTime\":1,\"body\":{}}")))
                .isInstanceOfSatisfying(DocumentMapper.Rejection.class, r -> {
                    assertThat(r.reason()).isEqualTo(RejectedRecord.MALFORMED_EVENT);
                    assertThat(r.getMessage()).contains("key");
                });
    }

    @Test
    void refusesAStringTooLargeToIndexNamingTheField() {
        String big = "x".repeat(101);
        assertThatThrownBy(() -> events.toDocument(bytes("{\"id\":\"e1\",\"key\":\"k\",\"eventTime\":1,\"ingestTime\":1,\"body\":{\"note\":\"" + big + "\"}}")))
                .isInstanceOfSatisfying(DocumentMapper.Rejection.class, r -> {
                    assertThat(r.reason()).isEqualTo(RejectedRecord.FIELD_TOO_LARGE);
                    assertThat(r.field()).isEqualTo("body_note_s");
                });
    }

    @Test
    void mapsAnAlertWithTheValuesItsRuleRead() throws Exception {
        SolrInputDocument doc = alerts.toDocument(bytes("""
                {"id":"e1:over_limit","rule":"over_limit","severity":"high","eventId":"e1","key":"card-1",
                 "eventTime":"2026-11-21T10:00:00Z","values":{"event.body.amount":2000,"profile.segment":"gold"},
                 "instance":"consumer-0","detectedAt":"2026-11-21T10:00:00.040Z"}"""));

        assertThat(doc.getFieldValue("id")).isEqualTo("e1:over_limit");
        assertThat(doc.getFieldValue("rule")).isEqualTo("over_limit");
        assertThat(doc.getFieldValue("severity")).isEqualTo("high");
        assertThat(doc.getFieldValue("event_id")).isEqualTo("e1");
        assertThat(doc.getFieldValue("value_event_body_amount_d")).isEqualTo(2000.0);
        assertThat(doc.getFieldValue("value_profile_segment_s")).isEqualTo("gold");
        assertThat(doc.getFieldValue("detected_at")).isEqualTo(Date.from(java.time.Instant.parse("2026-11-21T10:00:00.040Z")));
    }

    @Test
    void refusesAnAlertWithoutItsRuleOrWithABadTime() {
        assertThatThrownBy(() -> alerts.toDocument(bytes("{\"id\":\"a\",\"key\":\"k\",\"eventId\":\"e\",\"eventTime\":\"2026-11-21T10:00:00Z\"}")))
                .isInstanceOfSatisfying(DocumentMapper.Rejection.class, r -> assertThat(r.field()).isEqualTo("rule"));
        assertThatThrownBy(() -> alerts.toDocument(bytes("{\"id\":\"a\",\"key\":\"k\",\"rule\":\"r\",\"eventId\":\"e\",\"eventTime\":\"yesterday\"}")))
                .isInstanceOfSatisfying(DocumentMapper.Rejection.class, r -> assertThat(r.field()).isEqualTo("eventTime"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
