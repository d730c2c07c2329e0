package dev.sluice.consumer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The instance's Micrometer meters, scraped in Prometheus text format at {@code /metrics}; the
 * same server answers {@code /status} (owned partitions and their profile counts, as JSON) and
 * {@code /health}.
 */
final class ConsumerMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    final Counter eventsIn;
    final Counter eventsOut;
    final Counter alerts;
    final Counter ruleFailures;
    final Counter rebalances;
    final Counter transactionsCommitted;
    final Counter transactionsAborted;
    final Counter producerRestarts;
    final Counter updatesApplied;
    final Counter rulesReloads;
    final Counter rulesReloadFailures;
    final Timer processLatency;
    final Timer endToEndLatency;
    final Timer partitionLoad;
    final Timer commitDuration;

    ConsumerMetrics(String instance, int port, ProfileCache cache, Supplier<String> status) throws IOException {
        registry.config().commonTags("instance", instance);
        eventsIn = Counter.builder("sluice.consumer.events.in").description("events read from the input topic").register(registry);
        eventsOut = Counter.builder("sluice.consumer.events.out").description("enriched events written").register(registry);
        alerts = Counter.builder("sluice.consumer.alerts").description("alerts written").register(registry);
        ruleFailures = Counter.builder("sluice.consumer.rule.failures").description("rule evaluations that threw").register(registry);
        rebalances = Counter.builder("sluice.consumer.rebalances").description("partition assignment changes").register(registry);
        transactionsCommitted = Counter.builder("sluice.consumer.batches.committed").register(registry);
        transactionsAborted = Counter.builder("sluice.consumer.batches.aborted").register(registry);
        producerRestarts = Counter.builder("sluice.consumer.producer.restarts")
                .description("exactly-once: rewinds that started the transactional producers afresh").register(registry);
        updatesApplied = Counter.builder("sluice.consumer.profile.updates").description("profile updates applied to the cache").register(registry);
        rulesReloads = Counter.builder("sluice.consumer.rules.reloads").register(registry);
        rulesReloadFailures = Counter.builder("sluice.consumer.rules.reload.failures").register(registry);
        processLatency = Timer.builder("sluice.consumer.enrich.latency")
                .description("time to decode, enrich and evaluate the rules of one event")
                // Buckets only: Prometheus computes quantiles from them. Client-side percentiles (publishPercentiles)
                // recorded every event into three HdrHistograms: a fifth of the polling thread's CPU (JFR).
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
        endToEndLatency = Timer.builder("sluice.consumer.end_to_end.latency")
                .description("input record timestamp to the commit point that made it durable")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        commitDuration = Timer.builder("sluice.consumer.commit.duration")
                .description("time to make a commit point durable: transaction commit (exactly once) or offset commit (at least once)")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        partitionLoad = Timer.builder("sluice.consumer.partition.load")
                .description("time to load one partition's profiles and windows before resuming it").register(registry);
        Gauge.builder("sluice.consumer.cache.entries", cache, ProfileCache::entries).register(registry);
        Gauge.builder("sluice.consumer.cache.bytes", cache, ProfileCache::bytes).baseUnit("bytes").register(registry);
        Gauge.builder("sluice.consumer.partitions.owned", cache, c -> c.partitions().size()).register(registry);

        server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
        server.createContext("/metrics", exchange -> respond(exchange, "text/plain; version=0.0.4", registry.scrape()));
        server.createContext("/status", exchange -> respond(exchange, "application/json", status.get()));
        server.createContext("/health", exchange -> respond(exchange, "text/plain", "ok\n"));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "metrics-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    int port() {
        return server.getAddress().getPort();
    }

    // Tagged counters are looked up per event: keep them rather than ask the registry each time.
    private final java.util.Map<String, Counter> dlqByReason = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Counter> alertsByRule = new java.util.concurrent.ConcurrentHashMap<>();

    Counter dlq(String reason) {
        return dlqByReason.computeIfAbsent(reason,
                r -> Counter.builder("sluice.consumer.events.dlq").tag("reason", r).register(registry));
    }

    Counter alertsOf(String rule) {
        return alertsByRule.computeIfAbsent(rule,
                r -> Counter.builder("sluice.consumer.alerts.by.rule").tag("rule", r).register(registry));
    }

    private static void respond(HttpExchange exchange, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
