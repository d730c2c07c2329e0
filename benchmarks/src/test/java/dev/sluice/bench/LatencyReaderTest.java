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

    @Test
    void findsTheSeqTagOfALevelEventAndReportsUntaggedOnesAsMinusOne() {
        byte[] tagged = "{\"body\":{\"card_id\":\"card-1\",\"seq\":1234,\"sentNanos\":5}}".getBytes(StandardCharsets.UTF_8);
        byte[] untagged = "{\"body\":{\"card_id\":\"card-1\",\"seq\":-1,\"sentNanos\":5}}".getBytes(StandardCharsets.UTF_8);
        byte[] without = "{\"body\":{\"sentNanos\":5}}".getBytes(StandardCharsets.UTF_8);
        assertThat(LatencyReader.seq(tagged)).isEqualTo(1234L);
        assertThat(LatencyReader.seq(untagged)).isEqualTo(-1L);
        assertThat(LatencyReader.seq(without)).isEqualTo(-1L);
    }
}
