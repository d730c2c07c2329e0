package dev.sluice.consumer;

import dev.sluice.common.security.Redaction;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of one consumer instance, from a properties file plus overrides. Every key is
 * checked at start: an unknown key, a missing required one or a bad value fails with the key's
 * name, before any connection is made. Kafka client settings pass through under
 * {@code kafka.consumer.}, {@code kafka.producer.} and {@code kafka.common.}; HBase client settings
 * under {@code hbase.}.
 */
public record ConsumerSettings(
        String bootstrapServers,
        Map<String, String> hbase,
        String groupId,
        Optional<String> instanceId,
        Topics topics,
        String profilesTable,
        Guarantee guarantee,
        Duration commitInterval,
        UnknownProfilePolicy unknownProfile,
        Optional<Path> rulesFile,
        Duration rulesReloadInterval,
        int metricsPort,
        Optional<Path> statusFile,
        int scanParallelism,
        int processingThreads,
        int maxEventBytes,
        Map<String, String> kafkaConsumer,
        Map<String, String> kafkaProducer,
        Map<String, String> kafkaCommon) {

    /** Topic names. */
    public record Topics(String input, String enriched, String alerts, String dlq, String updates, String changelog) {
    }

    /** What a committed batch promises. */
    public enum Guarantee {
        /**
         * Reads, outputs, window checkpoints and offsets in one Kafka transaction (the default), one
         * per commit interval: outputs become visible to read_committed readers at its commit.
         */
        EXACTLY_ONCE(50),
        /**
         * Outputs are visible as soon as written; offsets are committed once the outputs before them
         * are acknowledged: lowest latency, a crash can repeat about two commit intervals of records.
         */
        AT_LEAST_ONCE(100);

        // Exactly-once trades latency (records wait for their transaction's commit) against commit overhead;
        // at-least-once latency does not depend on it, only how much a crash repeats.
        final int defaultCommitIntervalMs;

        Guarantee(int defaultCommitIntervalMs) {
            this.defaultCommitIntervalMs = defaultCommitIntervalMs;
        }
    }

    /** What happens to an event whose key has no profile. */
    public enum UnknownProfilePolicy {
        /** Deliver it un-enriched, flagged with the header {@code sluice.profile=missing} (the default). */
        PASS,
        /** Ask HBase for the key (the profile may be newer than its update), then pass as above if absent. */
        LOOKUP,
        /** Send it to the dead-letter topic with reason UNKNOWN_PROFILE. */
        DLQ
    }

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String GROUP_ID = "group.id";
    public static final String INSTANCE_ID = "instance.id";
    public static final String TOPIC_INPUT = "topic.input";
    public static final String TOPIC_ENRICHED = "topic.enriched";
    public static final String TOPIC_ALERTS = "topic.alerts";
    public static final String TOPIC_DLQ = "topic.dlq";
    public static final String TOPIC_UPDATES = "topic.updates";
    public static final String TOPIC_CHANGELOG = "topic.changelog";
    public static final String PROFILES_TABLE = "profiles.table";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String UNKNOWN_PROFILE = "unknown.profile";
    public static final String RULES_FILE = "rules.file";
    public static final String RULES_RELOAD_INTERVAL_MS = "rules.reload.interval.ms";
    public static final String METRICS_PORT = "metrics.port";
    public static final String STATUS_FILE = "status.file";
    public static final String SCAN_PARALLELISM = "scan.parallelism";
    public static final String PROCESSING_THREADS = "processing.threads";
    public static final String MAX_EVENT_BYTES = "max.event.bytes";

    private static final Set<String> KEYS = Set.of(BOOTSTRAP_SERVERS, GROUP_ID, INSTANCE_ID, TOPIC_INPUT, TOPIC_ENRICHED,
            TOPIC_ALERTS, TOPIC_DLQ, TOPIC_UPDATES, TOPIC_CHANGELOG, PROFILES_TABLE, PROCESSING_GUARANTEE, COMMIT_INTERVAL_MS, UNKNOWN_PROFILE,
            RULES_FILE, RULES_RELOAD_INTERVAL_MS, METRICS_PORT, STATUS_FILE, SCAN_PARALLELISM, PROCESSING_THREADS, MAX_EVENT_BYTES);
    private static final List<String> PREFIXES = List.of("kafka.consumer.", "kafka.producer.", "kafka.common.", "hbase.", "zookeeper.");

    /** Reads a properties file, then applies the overrides (CLI {@code --set key=value}). */
    public static ConsumerSettings load(Path file, Map<String, String> overrides) {
        Map<String, String> all = read(file);
        all.putAll(overrides);
        return from(all);
    }

    /** The raw settings of a properties file (trimmed values, file order irrelevant); none for a null file. */
    public static Map<String, String> read(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        if (file == null) {
            return values;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read consumer settings " + file + ": " + e.getMessage(), e);
        }
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k).trim()));
        return values;
    }

    /** Validates a flat map of settings; the exception names every bad key. */
    public static ConsumerSettings from(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        for (String key : values.keySet()) {
            if (!KEYS.contains(key) && PREFIXES.stream().noneMatch(key::startsWith)) {
                unknown.add(key);
            }
        }
        unknown.forEach(k -> problems.add("unknown setting '" + k + "'"));
        Values r = new Values(values, problems);
        String bootstrap = r.required(BOOTSTRAP_SERVERS);
        Map<String, String> hbase = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("hbase.") || k.startsWith("zookeeper.")) {
                hbase.put(k, v);
            }
        });
        if (!hbase.containsKey("hbase.zookeeper.quorum")) {
            problems.add("missing required setting 'hbase.zookeeper.quorum' (where HBase's ZooKeeper is)");
        }
        String group = r.string(GROUP_ID, "sluice-enrich");
        Topics topics = new Topics(r.string(TOPIC_INPUT, "events.raw"), r.string(TOPIC_ENRICHED, "events.enriched"),
                r.string(TOPIC_ALERTS, "alerts"), r.string(TOPIC_DLQ, "events.dlq"),
                r.string(TOPIC_UPDATES, "profiles.updates"), r.string(TOPIC_CHANGELOG, group + ".windows-changelog"));
        Guarantee guarantee = r.enumeration(PROCESSING_GUARANTEE, Guarantee.class, Guarantee.EXACTLY_ONCE);
        ConsumerSettings settings = new ConsumerSettings(
                bootstrap, hbase, group,
                Optional.ofNullable(values.get(INSTANCE_ID)).filter(s -> !s.isBlank()),
                topics,
                r.string(PROFILES_TABLE, "profiles"),
                guarantee,
                Duration.ofMillis(r.integer(COMMIT_INTERVAL_MS, guarantee.defaultCommitIntervalMs, 1, 60_000)),
                r.enumeration(UNKNOWN_PROFILE, UnknownProfilePolicy.class, UnknownProfilePolicy.PASS),
                Optional.ofNullable(values.get(RULES_FILE)).filter(s -> !s.isBlank()).map(Path::of),
                Duration.ofMillis(r.integer(RULES_RELOAD_INTERVAL_MS, 5000, 100, Integer.MAX_VALUE)),
                (int) r.integer(METRICS_PORT, 0, 0, 65535),
                Optional.ofNullable(values.get(STATUS_FILE)).filter(s -> !s.isBlank()).map(Path::of),
                (int) r.integer(SCAN_PARALLELISM, 4, 1, 64),
                (int) r.integer(PROCESSING_THREADS, defaultProcessingThreads(Runtime.getRuntime().availableProcessors()), 1, 64),
                (int) r.integer(MAX_EVENT_BYTES, 1024 * 1024, 1024, 64 * 1024 * 1024),
                r.prefixed("kafka.consumer."), r.prefixed("kafka.producer."), r.prefixed("kafka.common."));
        if (settings.rulesFile().isPresent() && !Files.isReadable(settings.rulesFile().get())) {
            problems.add("setting '" + RULES_FILE + "': cannot read " + settings.rulesFile().get());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("bad consumer settings:\n  - " + String.join("\n  - ", problems));
        }
        return settings;
    }

    /** Every setting, secrets redacted: safe to log or print. */
    @Override
    public String toString() {
        return "ConsumerSettings[bootstrapServers=" + bootstrapServers + ", hbase=" + Redaction.redact(hbase) + ", groupId=" + groupId
                + ", instanceId=" + instanceId.orElse("-") + ", topics=" + topics + ", profilesTable=" + profilesTable
                + ", guarantee=" + guarantee + ", commitInterval=" + commitInterval + ", unknownProfile=" + unknownProfile + ", rulesFile=" + rulesFile.orElse(null)
                + ", kafkaCommon=" + Redaction.redact(kafkaCommon) + ", kafkaConsumer=" + Redaction.redact(kafkaConsumer)
                + ", kafkaProducer=" + Redaction.redact(kafkaProducer) + "]";
    }

    /**
     * Half the cores, at least one and at most eight. The other half is for what runs beside the processing
     * threads and grows with the event rate: the consumer's and producers' network threads, the polling
     * thread's fetch parsing, the GC. Without rules the per-event work is about a microsecond; on two cores
     * a second processing thread cost more in hand-offs than it saved (BENCHMARKS.md, 2026-12-06).
     */
    static int defaultProcessingThreads(int cores) {
        return Math.max(1, Math.min(8, cores / 2));
    }

    /** The name this instance reports itself by: its instance id, or the group for a dynamic member. */
    public String displayName() {
        return instanceId.orElse(groupId + "-dynamic");
    }

    private record Values(Map<String, String> values, List<String> problems) {

        String required(String key) {
            String value = values.get(key);
            if (value == null || value.isBlank()) {
                problems.add("missing required setting '" + key + "'");
                return "";
            }
            return value;
        }

        String string(String key, String fallback) {
            String value = values.get(key);
            if (value != null && value.isBlank()) {
                problems.add("setting '" + key + "' must not be empty");
            }
            return value == null || value.isBlank() ? fallback : value;
        }

        long integer(String key, long fallback, long min, long max) {
            String value = values.get(key);
            if (value == null) {
                return fallback;
            }
            try {
                long n = Long.parseLong(value);
                if (n < min || n > max) {
                    problems.add("setting '" + key + "' must be between " + min + " and " + max + ", got " + n);
                    return fallback;
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add("setting '" + key + "' must be a whole number, got '" + value + "'");
                return fallback;
            }
        }

        <E extends Enum<E>> E enumeration(String key, Class<E> type, E fallback) {
            String value = values.get(key);
            if (value == null) {
                return fallback;
            }
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                List<String> allowed = java.util.Arrays.stream(type.getEnumConstants())
                        .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
                problems.add("setting '" + key + "' must be one of " + allowed + ", got '" + value + "'");
                return fallback;
            }
        }

        Map<String, String> prefixed(String prefix) {
            Map<String, String> out = new LinkedHashMap<>();
            values.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.put(k.substring(prefix.length()), v);
                }
            });
            return out;
        }
    }
}
