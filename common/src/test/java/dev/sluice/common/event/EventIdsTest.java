package dev.sluice.common.event;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EventIdsTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00.123Z");

    @Test
    void idsAreVersion7UuidsCarryingTheClockMillis() {
        EventIds ids = new EventIds(Clock.fixed(NOW, ZoneOffset.UTC), new SplittableRandom(1));
        UUID id = UUID.fromString(ids.next());

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(NOW.toEpochMilli());
    }

    @Test
    void sameSeedAndClockGiveTheSameIds() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        EventIds a = new EventIds(clock, new SplittableRandom(42));
        EventIds b = new EventIds(clock, new SplittableRandom(42));
        for (int i = 0; i < 100; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }

    @Test
    void idsOfLaterMillisecondsSortAfterEarlierOnes() {
        String earlier = new EventIds(Clock.fixed(NOW, ZoneOffset.UTC), new SplittableRandom(1)).next();
        String later = new EventIds(Clock.fixed(NOW.plusMillis(1), ZoneOffset.UTC), new SplittableRandom(2)).next();
        assertThat(later).isGreaterThan(earlier);
    }

    @Test
    void systemDefaultIdsAreUnique() {
        EventIds ids = EventIds.systemDefault();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(ids.next())).isTrue();
        }
    }
}
