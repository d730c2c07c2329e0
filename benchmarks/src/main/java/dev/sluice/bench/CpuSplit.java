package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine's CPU time split, from the first line of /proc/stat (jiffies). */
public record CpuSplit(long user, long system, long idle, long steal) {

    public static CpuSplit read() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal
        return new CpuSplit(Long.parseLong(f[1]) + Long.parseLong(f[2]), Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]),
                Long.parseLong(f[4]) + Long.parseLong(f[5]), Long.parseLong(f[8]));
    }

    public CpuSplit minus(CpuSplit o) {
        return new CpuSplit(user - o.user, system - o.system, idle - o.idle, steal - o.steal);
    }

    /** The share of the machine's time not idle (0 to 1). */
    public double busy() {
        return (user + system + steal) / (double) Math.max(1, user + system + idle + steal);
    }

    @Override
    public String toString() {
        double total = Math.max(1, user + system + idle + steal);
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f / %.0f %%", 100 * user / total, 100 * system / total,
                100 * idle / total, 100 * steal / total);
    }
}
