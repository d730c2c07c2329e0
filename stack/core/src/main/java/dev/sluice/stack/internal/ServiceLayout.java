package dev.sluice.stack.internal;

import dev.sluice.stack.Service;

import java.nio.file.Path;

/**
 * Where one service keeps its files under the stack's work directory:
 * {@code <work>/<service>/{conf,data,tmp}}, {@code <work>/<service>/pid} and {@code <work>/logs/<service>.log}.
 */
public record ServiceLayout(Path workDir, Service service) {

    public Path home() {
        return workDir.resolve(service.id());
    }

    /** Put first on the service's classpath: its site files and logging configuration live here. */
    public Path conf() {
        return home().resolve("conf");
    }

    public Path data() {
        return home().resolve("data");
    }

    public Path tmp() {
        return home().resolve("tmp");
    }

    public Path pidFile() {
        return home().resolve("pid");
    }

    public Path log() {
        return workDir.resolve("logs").resolve(service.id() + ".log");
    }
}
