package dev.sluice.rules;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The windowed aggregates of the keys one owner processes, with the set of keys changed since the
 * last {@link #drainChanged()} so the caller can checkpoint exactly those (to a compacted changelog,
 * in the same Kafka transaction as the events that changed them). Not thread-safe: one per
 * processing thread.
 */
public final class WindowStore {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private List<WindowSpec> specs;
    private final Map<String, KeyWindows> byKey = new HashMap<>();
    private final Set<String> changed = new LinkedHashSet<>();

    public WindowStore(List<WindowSpec> specs) {
        this.specs = List.copyOf(specs);
    }

    /**
     * Counts the event in every window of its key and returns the windows' values as of its time.
     *
     * @param body the event body as Java values, for summed fields
     */
    public Map<String, Number> addAndRead(String key, long eventTimeMillis, Map<String, Object> body) {
        if (specs.isEmpty()) {
            return Map.of();
        }
        KeyWindows windows = byKey.computeIfAbsent(key, k -> new KeyWindows(specs));
        Map<String, Number> values = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            WindowSpec spec = specs.get(i);
            double amount = spec.aggregate() == WindowSpec.Aggregate.COUNT ? 1 : numberAt(body, spec.field());
            windows.add(i, spec, eventTimeMillis, amount);
            double value = windows.value(i, spec, eventTimeMillis);
            values.put(spec.name(), spec.aggregate() == WindowSpec.Aggregate.COUNT ? (Number) (long) value : value);
        }
        changed.add(key);
        return values;
    }

    /** Keys changed since the last call, each with its state to checkpoint. */
    public Map<String, byte[]> drainChanged() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String key : changed) {
            KeyWindows windows = byKey.get(key);
            out.put(key, windows == null ? null : encode(windows));
        }
        changed.clear();
        return out;
    }

    /** Restores one key from its checkpoint; a null value (tombstone) removes it. */
    public void restore(String key, byte[] checkpoint) {
        if (checkpoint == null) {
            byKey.remove(key);
            return;
        }
        try {
            byKey.put(key, KeyWindows.fromJson(MAPPER.readTree(checkpoint), specs));
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable window checkpoint for key " + key, e);
        }
    }

    /** Drops the keys the predicate selects (their partition was revoked), without checkpointing them. */
    public void removeIf(java.util.function.Predicate<String> keyFilter) {
        byKey.keySet().removeIf(keyFilter);
        changed.removeIf(keyFilter);
    }

    /** Removes keys whose windows are all in the past at {@code now}; returns them so tombstones can be written. */
    public List<String> expire(long nowMillis) {
        List<String> expired = byKey.entrySet().stream()
                .filter(e -> e.getValue().expiredAt(specs, nowMillis)).map(Map.Entry::getKey).toList();
        expired.forEach(key -> {
            byKey.remove(key);
            changed.add(key);
        });
        return expired;
    }

    /** Switches to new window definitions, keeping the state of windows whose size and step are unchanged. */
    public void respec(List<WindowSpec> newSpecs) {
        List<WindowSpec> old = specs;
        specs = List.copyOf(newSpecs);
        byKey.replaceAll((key, windows) -> KeyWindows.fromJson(windows.toJson(old), specs));
    }

    public int size() {
        return byKey.size();
    }

    /** The current value of one window of one key at a time, for operators and tests. */
    public Number valueOf(String key, String window, long atMillis) {
        KeyWindows windows = byKey.get(key);
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(window)) {
                return windows == null ? 0 : windows.value(i, specs.get(i), atMillis);
            }
        }
        throw new IllegalArgumentException("no window named " + window);
    }

    private byte[] encode(KeyWindows windows) {
        try {
            return MAPPER.writeValueAsBytes(windows.toJson(specs));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double numberAt(Map<String, Object> body, String path) {
        Object node = body;
        for (String part : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return 0;
            }
            node = map.get(part);
        }
        return node instanceof Number n ? n.doubleValue() : 0;
    }
}
