package dev.sluice.profiles.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttributeTypeTest {

    @ParameterizedTest
    @CsvSource({
            "STRING, Zoë, Zoë",
            "LONG, 42, 42",
            "DOUBLE, 12.5, 12.5",
            "BOOLEAN, yes, true",
            "TIMESTAMP, 2026-11-21T10:00:00Z, 2026-11-21T10:00:00Z"})
    void parsesEncodesAndDecodesEveryType(AttributeType type, String text, String expected) {
        Object value = type.parse(text);
        assertThat(type.decode(type.encode(value))).isEqualTo(value);
        assertThat(value.toString()).isEqualTo(expected);
    }

    @Test
    void readsTimestampsAsEpochMillisToo() {
        assertThat(AttributeType.TIMESTAMP.parse("1763719200000")).isEqualTo(Instant.ofEpochMilli(1763719200000L));
    }

    @Test
    void rejectsTextOfTheWrongType() {
        assertThatThrownBy(() -> AttributeType.LONG.parse("12.5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttributeType.DOUBLE.parse("NaN")).hasMessageContaining("finite");
        assertThatThrownBy(() -> AttributeType.BOOLEAN.parse("maybe")).hasMessageContaining("not a boolean");
        assertThatThrownBy(() -> AttributeType.TIMESTAMP.parse("yesterday")).hasMessageContaining("ISO-8601");
    }

    @Test
    void convertsJsonValuesAndNamesTheExpectedType() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(AttributeType.LONG.fromJson(json.readTree("7"))).isEqualTo(7L);
        assertThat(AttributeType.DOUBLE.fromJson(json.readTree("7"))).isEqualTo(7.0);
        assertThatThrownBy(() -> AttributeType.LONG.fromJson(json.readTree("\"7\"")))
                .hasMessage("expected an integer, got string");
        assertThatThrownBy(() -> AttributeType.TIMESTAMP.fromJson(json.readTree("\"soon\"")))
                .hasMessageContaining("expected an ISO-8601 string or epoch milliseconds");
    }
}
