package dev.sluice.common.event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoInstantsTest {

    private static final long YEAR_0 = -62_167_219_200L;
    private static final long YEAR_10000 = 253_402_300_800L;

    @Test
    void formatsAndParsesExactlyAsJavaTimeAcrossTheFourDigitYears() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(YEAR_0 - 1000, YEAR_10000 + 1000);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            String expected = instant.toString();
            assertThat(IsoInstants.format(instant)).isEqualTo(expected);
            assertThat(IsoInstants.parse(expected)).isEqualTo(instant);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-21T10:00:00.1Z", "2026-11-21T10:00:00.12Z", "2026-11-21T10:00:00.1234Z",
            "2026-11-21T10:00:00.12345678Z", "2024-02-29T23:59:59.999999999Z", "1970-01-01T00:00:00Z",
            "2026-11-21T10:00:00+01:00", "2026-11-21T10:00:00.Z", "+12026-11-21T10:00:00Z", "2016-12-31T23:59:60Z"})
    void parsesEveryFormJavaTimeAccepts(String text) {
        assertThat(IsoInstants.parse(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-21T24:00:01Z", "2026-11-21T10:61:00Z",
            "2026-11-21 10:00:00Z", "2026-11-21T10:00Z", "2026-11-21T10:00:00.1234567890Z", "2026-11-21T10:00:00",
            "2026-1a-21T10:00:00Z", "２026-11-21T10:00:00Z", "yesterday", ""})
    void refusesWhatJavaTimeRefuses(String text) {
        assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> IsoInstants.parse(text)).isInstanceOf(DateTimeParseException.class);
    }
}
