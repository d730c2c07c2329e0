package dev.sluice.consumer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PackedProfilesTest {

    @Test
    void storesAndReturnsValuesByKey() {
        PackedProfiles profiles = new PackedProfiles();
        profiles.put("card-1", bytes("{\"tier\":\"gold\"}"));
        profiles.put("kärte-€-😀", bytes("{\"tier\":\"silver\"}"));

        assertThat(profiles.get(bytes("card-1"))).isEqualTo(bytes("{\"tier\":\"gold\"}"));
        assertThat(profiles.get(bytes("kärte-€-😀"))).isEqualTo(bytes("{\"tier\":\"silver\"}"));
        assertThat(profiles.get(bytes("card-2"))).isNull();
        assertThat(profiles.get(bytes("card-"))).isNull();
        assertThat(profiles.size()).isEqualTo(2);
    }

    @Test
    void anEmptyKeyAndAnEmptyValueAreEntriesLikeAnyOther() {
        PackedProfiles profiles = new PackedProfiles();
        profiles.put("", new byte[0]);
        assertThat(profiles.get(new byte[0])).isEmpty();
        assertThat(profiles.remove("")).isTrue();
        assertThat(profiles.get(new byte[0])).isNull();
    }

    @Test
    void aReturnedValueIsACopy() {
        PackedProfiles profiles = new PackedProfiles();
        profiles.put("k", bytes("abc"));
        profiles.get(bytes("k"))[0] = 'X';
        assertThat(profiles.get(bytes("k"))).isEqualTo(bytes("abc"));
    }

    @Test
    void replacesValuesOfTheSameAndOfOtherLengths() {
        PackedProfiles profiles = new PackedProfiles();
        profiles.put("k", bytes("aaaa"));
        profiles.put("k", bytes("bbbb"));
        assertThat(profiles.get(bytes("k"))).isEqualTo(bytes("bbbb"));
        profiles.put("k", bytes("a much longer value than before"));
        assertThat(profiles.get(bytes("k"))).isEqualTo(bytes("a much longer value than before"));
        profiles.put("k", bytes("s"));
        assertThat(profiles.get(bytes("k"))).isEqualTo(bytes("s"));
        assertThat(profiles.size()).isEqualTo(1);
    }

    @Test
    void removesKeysWithoutLosingTheOthersOfTheirProbeChain() {
        PackedProfiles profiles = new PackedProfiles();
        for (int i = 0; i < 10_000; i++) {
            profiles.put("card-" + i, bytes("v" + i));
        }
        for (int i = 0; i < 10_000; i += 3) {
            assertThat(profiles.remove("card-" + i)).isTrue();
        }
        assertThat(profiles.remove("card-0")).isFalse();
        for (int i = 0; i < 10_000; i++) {
            assertThat(profiles.get(bytes("card-" + i))).as("card-" + i).isEqualTo(i % 3 == 0 ? null : bytes("v" + i));
        }
        assertThat(profiles.size()).isEqualTo(10_000 - 3334);
    }

    @Test
    void holdsAValueLargerThanAPageAndEntriesAfterIt() {
        PackedProfiles profiles = new PackedProfiles();
        byte[] large = new byte[PackedProfiles.PAGE_BYTES + 17];
        Arrays.fill(large, (byte) 'x');
        profiles.put("small-1", bytes("a"));
        profiles.put("large", large);
        profiles.put("small-2", bytes("b"));
        assertThat(profiles.get(bytes("large"))).isEqualTo(large);
        assertThat(profiles.get(bytes("small-1"))).isEqualTo(bytes("a"));
        assertThat(profiles.get(bytes("small-2"))).isEqualTo(bytes("b"));
    }

    @Test
    void refusesAKeyLongerThanItsLengthField() {
        PackedProfiles profiles = new PackedProfiles();
        String key = "k".repeat(70_000);
        assertThatThrownBy(() -> profiles.put(key, bytes("v"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("70000 bytes");
        assertThat(profiles.get(bytes(key))).isNull();
    }

    @Test
    void prefetchingPresentAndAbsentKeysChangesNothing() {
        PackedProfiles profiles = new PackedProfiles();
        for (int i = 0; i < 1000; i++) {
            profiles.put("card-" + i, bytes("v" + i));
        }
        byte[][] keys = {bytes("card-1"), bytes("nobody"), bytes(""), bytes("card-999"), null};
        profiles.prefetch(keys, 4);
        assertThat(profiles.get(bytes("card-1"))).isEqualTo(bytes("v1"));
        assertThat(profiles.get(bytes("card-999"))).isEqualTo(bytes("v999"));
        assertThat(profiles.get(bytes("nobody"))).isNull();
        assertThat(profiles.size()).isEqualTo(1000);
    }

    /** Random puts, replacements and deletes against a HashMap, enough to grow, compact and shift chains. */
    @Test
    void agreesWithAHashMapUnderRandomUpdates() {
        PackedProfiles profiles = new PackedProfiles();
        Map<String, byte[]> expected = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int op = 0; op < 300_000; op++) {
            String key = "card-" + random.nextInt(20_000);
            if (random.nextInt(4) == 0) {
                assertThat(profiles.remove(key)).isEqualTo(expected.remove(key) != null);
            } else {
                byte[] value = new byte[20 + random.nextInt(300)];
                random.nextBytes(value);
                profiles.put(key, value);
                expected.put(key, value);
            }
        }
        assertThat(profiles.size()).isEqualTo(expected.size());
        expected.forEach((key, value) -> assertThat(profiles.get(bytes(key))).as(key).isEqualTo(value));
        Map<String, byte[]> seen = new HashMap<>();
        profiles.forEach(seen::put);
        assertThat(seen).containsOnlyKeys(expected.keySet());
        // Replaced and deleted entries were copied out: the pages hold little more than the live entries.
        long live = expected.entrySet().stream().mapToLong(e -> 6 + bytes(e.getKey()).length + e.getValue().length).sum();
        assertThat(profiles.memoryBytes()).isLessThan(2 * live + 4L * PackedProfiles.PAGE_BYTES).isGreaterThan(live);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
