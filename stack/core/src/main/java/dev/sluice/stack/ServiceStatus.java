package dev.sluice.stack;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What {@code sluice stack status} knows of one service.
 *
 * @param service the service
 * @param pid the process id, if the service's process is alive
 * @param answering whether its readiness check succeeded just now
 * @param detail why it does not answer, or where it answers
 * @param log the service's log file
 */
public record ServiceStatus(Service service, OptionalLong pid, boolean answering, String detail, Path log) {

    public boolean running() {
        return pid.isPresent();
    }

    /** Resident memory of the service's process (Linux {@code /proc}), if it runs and that can be read. */
    public OptionalLong residentBytes() {
        return pid.isPresent() ? ProcessMemory.residentBytes(pid.getAsLong()) : OptionalLong.empty();
    }
}
