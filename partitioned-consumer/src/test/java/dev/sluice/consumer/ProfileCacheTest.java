package dev.sluice.consumer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileCacheTest {

    @Test
    void servesOnlyOwnedPartitionsAndCountsWhatItHolds() {
        ProfileCache cache = new ProfileCache();
        PackedProfiles loaded = new PackedProfiles();
        loaded.put("card-1", bytes("one"));
        loaded.put("card-2", bytes("two"));
        cache.install(3, loaded);

        assertThat(cache.owns(3)).isTrue();
        assertThat(cache.get(3, "card-1")).isEqualTo(bytes("one"));
        assertThat(cache.get(4, "card-1")).as("not owned").isNull();
        assertThat(cache.entries()).isEqualTo(2);
        long loadedBytes = cache.bytes();
        assertThat(loadedBytes).isEqualTo(loaded.memoryBytes()).isPositive();

        cache.apply(3, "card-3", bytes("three"));
        cache.apply(3, "card-1", null);
        cache.apply(4, "card-9", bytes("ignored: partition not owned"));
        assertThat(cache.get(3, "card-3")).isEqualTo(bytes("three"));
        assertThat(cache.get(3, "card-1")).isNull();
        assertThat(cache.entries()).isEqualTo(2);
        assertThat(cache.sizes()).containsExactly(java.util.Map.entry(3, 2));

        cache.drop(3);
        assertThat(cache.owns(3)).isFalse();
        assertThat(cache.entries()).isZero();
        assertThat(cache.bytes()).isZero();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
