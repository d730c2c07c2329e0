package dev.sluice.common;

import java.util.List;

/**
 * JVM options for every JVM Sluice starts that talks to HBase (the CLI, consumers, Flume agents with
 * the HBase sink, benchmark variants). On Java 17, HBase's {@code Bytes} falls back to pure-Java
 * byte comparison and long/int conversion unless it may read {@code java.nio.Bits}: the sort, scan
 * and put paths then spend a large share of their CPU there (BENCHMARKS.md). HBase's own scripts
 * pass the same options. Repeated where Java code cannot reach this class: the {@code sluice}
 * script, {@code .mvn/jvm.config} (benchmarks run in Maven's JVM) and the YARN container command.
 */
public final class HBaseClientJvm {

    public static final List<String> OPTIONS = List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private HBaseClientJvm() {
    }
}
