package dev.sluice.stack;

import java.io.IOException;

/**
 * POSIX signals to a local process, through {@code kill(1)}: the JDK sends only SIGTERM and SIGKILL.
 * Tests and benchmarks freeze a process (SIGSTOP) to act out a long pause, and wake it (SIGCONT).
 */
public final class ProcessSignals {

    private ProcessSignals() {
    }

    /** Sends {@code signal} (a name without "SIG": STOP, CONT, TERM...) to the process; fails if kill does. */
    public static void send(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed (exit " + kill.exitValue() + ")");
        }
    }

    /** SIGSTOP: the process uses no CPU and answers nothing until {@link #thaw}; its sockets stay open. */
    public static void freeze(long pid) throws IOException, InterruptedException {
        send(pid, "STOP");
    }

    /** SIGCONT: a frozen process goes on where it stopped. */
    public static void thaw(long pid) throws IOException, InterruptedException {
        send(pid, "CONT");
    }
}
