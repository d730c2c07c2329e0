package dev.sluice.bench;

import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import dev.sluice.stack.ServiceStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Time to ready of the local stack (all services, and each one from its launch) and each
 * service's resident memory once idle, over several cold starts. Prints a Markdown table for
 * BENCHMARKS.md.
 */
@Command(name = "stack-startup", mixinStandardHelpOptions = true,
        description = "Measure the local stack's time to ready and per-service RSS over several starts.")
public final class StackStartupBenchmark implements Callable<Integer> {

    @Option(names = "--runs", defaultValue = "3", description = "Cold starts to measure (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--with-yarn", description = "Include YARN (not part of the default stack).")
    boolean withYarn;

    @Option(names = "--idle-seconds", defaultValue = "10", description = "Idle time before reading RSS (default ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Option(names = "--work-dir", defaultValue = "target/bench-stack", description = "Stack work directory.")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StackStartupBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Set<Service> services = withYarn ? EnumSet.allOf(Service.class) : Service.DEFAULTS;
        Files.createDirectories(workDir);
        List<Double> totals = new ArrayList<>();
        Map<Service, List<Double>> readySeconds = new EnumMap<>(Service.class);
        Map<Service, List<Long>> rssMegabytes = new EnumMap<>(Service.class);
        List<Double> stopSeconds = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            LocalStack stack = LocalStack.builder().workDir(workDir).services(services).stopOnExit(true).build();
            long began = System.nanoTime();
            stack.start();
            double total = (System.nanoTime() - began) / 1e9;
            totals.add(total);
            stack.startupTimes().forEach((s, d) -> readySeconds.computeIfAbsent(s, k -> new ArrayList<>()).add(d.toMillis() / 1000.0));
            Thread.sleep(Duration.ofSeconds(idleSeconds).toMillis());
            for (ServiceStatus status : stack.status()) {
                status.residentBytes().ifPresent(b -> rssMegabytes.computeIfAbsent(status.service(), k -> new ArrayList<>()).add(b >> 20));
            }
            long stopBegan = System.nanoTime();
            stack.close();
            stopSeconds.add((System.nanoTime() - stopBegan) / 1e9);
            System.out.printf(Locale.ROOT, "run %d: ready in %.1f s%n", run, total);
        }

        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "Stack (%s), %d cold starts, %s.%n%n",
                String.join(", ", services.stream().map(Service::id).toList()), runs, machine()));
        table.append("| service | ready after launch, median (min–max) | RSS after ").append(idleSeconds).append(" s idle, median |\n");
        table.append("|---|---|---|\n");
        for (Service service : services) {
            table.append(String.format(Locale.ROOT, "| %s | %s | %d MB |%n", service.id(),
                    range(readySeconds.get(service)), median(rssMegabytes.get(service))));
        }
        long totalRss = rssMegabytes.values().stream().mapToLong(StackStartupBenchmark::median).sum();
        table.append(String.format(Locale.ROOT, "| **whole stack** | **%s** (wall clock, services start in parallel) | **%d MB** |%n",
                range(totals), totalRss));
        table.append(String.format(Locale.ROOT, "%nStopping the whole stack: %s.%n", range(stopSeconds)));
        System.out.println();
        System.out.print(table);
        return 0;
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version().feature();
    }

    private static String range(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "%.1f s (%.1f–%.1f)", sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
    }

    private static long median(List<Long> values) {
        return values == null || values.isEmpty() ? 0 : values.stream().sorted().toList().get(values.size() / 2);
    }
}
