package dev.sluice.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyReaderTest {

    @Test
    void findsSentNanosInTheBodyWithoutParsing() throws Exception {
        String record = "{\"id\":\"e\",\"key\":\"card-1\",\"body\":{\"card_id\":\"card-1\",\"amount\":1.5,\"sentNanos\":98765432101234},"
                + "\"profile\":{\"segment\":\"gold\"}}";
        assertThat(LatencyReader.sentNanos(record.getBytes(StandardCharsets.UTF_8))).isEqualTo(98765432101234L);
    }

    @Test
    void fallsBackToParsingWhenTheFieldIsNotWrittenCompactly() throws Exception {
        String record = "{\"body\": {\"sentNanos\" : -42}}";
        assertThat(LatencyReader.sentNanos(record.getBytes(StandardCharsets.UTF_8))).isEqualTo(-42L);
        String negative = "{\"body\":{\"sentNanos\":-7}}";
        assertThat(LatencyReader.sentNanos(negative.getBytes(StandardCharsets.UTF_8))).isEqualTo(-7L);
    }
}
