package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time so far, split into user and kernel, from {@code /proc/<pid>/stat} (clock
 * ticks of 10 ms). The kernel share is what a JFR profile, sampling Java frames, does not show.
 */
public record ProcessCpu(long userTicks, long systemTicks) {

    private static final long NANOS_PER_TICK = 10_000_000L;

    public static ProcessCpu read(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // After the command name (in parentheses, may hold spaces) comes field 3; utime is field 14, stime 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return new ProcessCpu(Long.parseLong(fields[11]), Long.parseLong(fields[12]));
    }

    public ProcessCpu minus(ProcessCpu before) {
        return new ProcessCpu(userTicks - before.userTicks, systemTicks - before.systemTicks);
    }

    public long nanos() {
        return (userTicks + systemTicks) * NANOS_PER_TICK;
    }

    /** The share of the CPU time spent in the kernel (0 to 1). */
    public double systemShare() {
        return systemTicks / (double) Math.max(1, userTicks + systemTicks);
    }
}
