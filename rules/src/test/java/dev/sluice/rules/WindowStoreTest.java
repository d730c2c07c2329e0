package dev.sluice.rules;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WindowStoreTest {

    private static final long MIN = 60_000;
    private static final WindowSpec COUNT_10M = new WindowSpec("count_10m", WindowSpec.Aggregate.COUNT, null,
            Duration.ofMinutes(10), Duration.ofMinutes(1), false);
    private static final WindowSpec SPEND_1H = new WindowSpec("spend_1h", WindowSpec.Aggregate.SUM, "amount",
            Duration.ofHours(1), Duration.ofHours(1), true);

    @Test
    void slidingCountForgetsEventsOlderThanTheWindow() {
        WindowStore store = new WindowStore(List.of(COUNT_10M));
        assertThat(store.addAndRead("k", 0, Map.of())).containsEntry("count_10m", 1L);
        assertThat(store.addAndRead("k", 5 * MIN, Map.of())).containsEntry("count_10m", 2L);
        assertThat(store.addAndRead("k", 9 * MIN, Map.of())).containsEntry("count_10m", 3L);
        // 10 minutes later the first event has left the window, the others are still in it.
        assertThat(store.addAndRead("k", 10 * MIN, Map.of())).containsEntry("count_10m", 3L);
        assertThat(store.addAndRead("k", 30 * MIN, Map.of())).containsEntry("count_10m", 1L);
        assertThat(store.addAndRead("other", 30 * MIN, Map.of())).containsEntry("count_10m", 1L);
    }

    @Test
    void lateEventsInsideTheWindowCountAndOlderOnesAreIgnored() {
        WindowStore store = new WindowStore(List.of(COUNT_10M));
        store.addAndRead("k", 20 * MIN, Map.of());
        assertThat(store.addAndRead("k", 15 * MIN, Map.of())).containsEntry("count_10m", 1L); // as of 15 min
        assertThat(store.valueOf("k", "count_10m", 20 * MIN)).isEqualTo(2.0);
        store.addAndRead("k", 2 * MIN, Map.of()); // too late
        assertThat(store.valueOf("k", "count_10m", 20 * MIN)).isEqualTo(2.0);
    }

    @Test
    void tumblingSumResetsAtTheBoundary() {
        WindowStore store = new WindowStore(List.of(SPEND_1H));
        assertThat(store.addAndRead("k", 10 * MIN, Map.of("amount", 100))).containsEntry("spend_1h", 100.0);
        assertThat(store.addAndRead("k", 50 * MIN, Map.of("amount", 25.5))).containsEntry("spend_1h", 125.5);
        assertThat(store.addAndRead("k", 61 * MIN, Map.of("amount", 1))).containsEntry("spend_1h", 1.0);
        assertThat(store.addAndRead("k", 62 * MIN, Map.of("note", "no amount"))).containsEntry("spend_1h", 1.0);
    }

    @Test
    void checkpointsRestoreTheSameValues() {
        WindowStore store = new WindowStore(List.of(COUNT_10M, SPEND_1H));
        store.addAndRead("a", MIN, Map.of("amount", 10));
        store.addAndRead("a", 2 * MIN, Map.of("amount", 5));
        store.addAndRead("b", 2 * MIN, Map.of("amount", 7));
        Map<String, byte[]> changed = store.drainChanged();
        assertThat(changed).containsOnlyKeys("a", "b");
        assertThat(store.drainChanged()).isEmpty();

        WindowStore restored = new WindowStore(List.of(COUNT_10M, SPEND_1H));
        changed.forEach(restored::restore);
        assertThat(restored.addAndRead("a", 3 * MIN, Map.of("amount", 1)))
                .containsEntry("count_10m", 3L).containsEntry("spend_1h", 16.0);
        restored.restore("a", null);
        assertThat(restored.size()).isEqualTo(1);
    }

    @Test
    void respecKeepsUnchangedWindowsAndExpiryRemovesIdleKeys() {
        WindowStore store = new WindowStore(List.of(COUNT_10M, SPEND_1H));
        store.addAndRead("a", MIN, Map.of("amount", 10));
        WindowSpec spend2h = new WindowSpec("spend_1h", WindowSpec.Aggregate.SUM, "amount", Duration.ofHours(2), Duration.ofHours(2), true);
        store.respec(List.of(COUNT_10M, spend2h));
        assertThat(store.valueOf("a", "count_10m", MIN)).isEqualTo(1.0);
        assertThat(store.valueOf("a", "spend_1h", MIN)).isEqualTo(0.0);
        store.drainChanged();
        assertThat(store.expire(2 * 60 * MIN)).isEmpty();
        assertThat(store.expire(5 * 60 * MIN)).containsExactly("a");
        assertThat(store.size()).isZero();
        assertThat(store.drainChanged()).containsOnlyKeys("a").containsEntry("a", null);
    }
}
