package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.List;

/**
 * The window slots of one entity key: for each {@link WindowSpec}, a ring of slots (start, value)
 * indexed by {@code (start / step) % slots}. A slot whose start is older than the window is reused,
 * so memory per key is fixed by the specs, whatever the event rate.
 */
final class KeyWindows {

    private final long[][] starts;
    private final double[][] values;
    private long latest = Long.MIN_VALUE;

    KeyWindows(List<WindowSpec> specs) {
        starts = new long[specs.size()][];
        values = new double[specs.size()][];
        for (int i = 0; i < specs.size(); i++) {
            starts[i] = new long[specs.get(i).slots()];
            Arrays.fill(starts[i], Long.MIN_VALUE);
            values[i] = new double[specs.get(i).slots()];
        }
    }

    /** Adds one event's contribution to window {@code i}; ignores an event older than the window. */
    void add(int i, WindowSpec spec, long time, double amount) {
        latest = Math.max(latest, time);
        long step = spec.stepMillis();
        long slotStart = Math.floorDiv(time, step) * step;
        if (slotStart <= latest - spec.sizeMillis() - step) {
            return; // too late: its slot has been reused already
        }
        int index = (int) Math.floorMod(Math.floorDiv(time, step), (long) starts[i].length);
        if (starts[i][index] != slotStart) {
            if (starts[i][index] > slotStart) {
                return; // the ring holds a newer slot here: the event is too late
            }
            starts[i][index] = slotStart;
            values[i][index] = 0;
        }
        values[i][index] += amount;
    }

    /** The value of window {@code i} as seen at {@code time}: the slots in (time - size, time]. */
    double value(int i, WindowSpec spec, long time) {
        long step = spec.stepMillis();
        long currentSlot = Math.floorDiv(time, step) * step;
        long oldestSlot = spec.tumbling() ? currentSlot : currentSlot - spec.sizeMillis() + step;
        double total = 0;
        for (int s = 0; s < starts[i].length; s++) {
            long start = starts[i][s];
            if (start >= oldestSlot && start <= currentSlot) {
                total += values[i][s];
            }
        }
        return total;
    }

    /** True when nothing in any window can count any more at {@code now}. */
    boolean expiredAt(List<WindowSpec> specs, long now) {
        for (int i = 0; i < specs.size(); i++) {
            if (latest > now - specs.get(i).sizeMillis() - specs.get(i).stepMillis()) {
                return false;
            }
        }
        return true;
    }

    /** The slots as JSON, by window name, so that a rules reload can keep the windows it did not change. */
    ObjectNode toJson(List<WindowSpec> specs) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("latest", latest);
        ObjectNode windows = root.putObject("windows");
        for (int i = 0; i < specs.size(); i++) {
            WindowSpec spec = specs.get(i);
            ObjectNode window = windows.putObject(spec.name());
            window.put("size", spec.sizeMillis()).put("step", spec.stepMillis());
            ArrayNode slots = window.putArray("slots");
            for (int s = 0; s < starts[i].length; s++) {
                if (starts[i][s] != Long.MIN_VALUE) {
                    slots.addArray().add(starts[i][s]).add(values[i][s]);
                }
            }
        }
        return root;
    }

    /** Rebuilds the slots from {@link #toJson}; a window whose size or step changed starts empty. */
    static KeyWindows fromJson(JsonNode root, List<WindowSpec> specs) {
        KeyWindows windows = new KeyWindows(specs);
        windows.latest = root.path("latest").asLong(Long.MIN_VALUE);
        for (int i = 0; i < specs.size(); i++) {
            WindowSpec spec = specs.get(i);
            JsonNode window = root.path("windows").path(spec.name());
            if (window.path("size").asLong() != spec.sizeMillis() || window.path("step").asLong() != spec.stepMillis()) {
                continue;
            }
            for (JsonNode slot : window.path("slots")) {
                long start = slot.get(0).asLong();
                int index = (int) Math.floorMod(Math.floorDiv(start, spec.stepMillis()), (long) windows.starts[i].length);
                windows.starts[i][index] = start;
                windows.values[i][index] = slot.get(1).asDouble();
            }
        }
        return windows;
    }
}
