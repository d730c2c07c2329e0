package dev.sluice.solr;

import dev.sluice.common.security.KafkaClientSecurity;
import dev.sluice.common.security.Redaction;
import dev.sluice.common.security.Secrets;
import dev.sluice.common.security.SolrClientSecurity;
import org.apache.flume.Context;
import org.apache.flume.conf.ConfigurationException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Solr sink's configuration, read from its Flume context and checked all at once: every
 * problem names its key, and an unknown key (a typo of a known one) is an error, not a silently
 * ignored setting.
 *
 * <pre>
 * agent.sinks.solr.type = dev.sluice.solr.SolrSink
 * agent.sinks.solr.channel = events
 * agent.sinks.solr.solrUrls = http://127.0.0.1:8983/solr
 * agent.sinks.solr.collection = events
 * agent.sinks.solr.format = event                     # or alert
 * agent.sinks.solr.batchSize = 1000
 * agent.sinks.solr.commitWithinMs = 5000
 * agent.sinks.solr.retry.initialBackoffMs = 100
 * agent.sinks.solr.retry.maxBackoffMs = 5000
 * agent.sinks.solr.retry.deadlineMs = 60000           # then the batch rolls back and is taken again later
 * agent.sinks.solr.requestTimeoutMs = 30000
 * agent.sinks.solr.maxFieldBytes = 32766
 * agent.sinks.solr.onRejected = dlq                   # or fail (stop and roll back: for debugging)
 * agent.sinks.solr.dlq.topic = events.dlq
 * agent.sinks.solr.dlq.bootstrap.servers = 127.0.0.1:9092
 * agent.sinks.solr.dlq.producer.linger.ms = 5        # any Kafka producer setting
 * # A secured Solr: basic authentication and the CA to trust; secrets only as file:PATH or env:NAME
 * agent.sinks.solr.auth.username = sluice
 * agent.sinks.solr.auth.password = file:/etc/sluice/secrets/solr.password
 * agent.sinks.solr.ssl.truststore.location = /etc/sluice/truststore.p12
 * agent.sinks.solr.ssl.truststore.password = env:SLUICE_TRUSTSTORE_PASSWORD
 * </pre>
 */
public record SolrSinkSettings(List<String> solrUrls, String collection, DocumentMapper.Format format, int batchSize,
                               int commitWithinMs, long initialBackoffMs, long maxBackoffMs, long deadlineMs,
                               int requestTimeoutMs, int maxFieldBytes, int maxRecordBytes, OnRejected onRejected,
                               String dlqTopic, Map<String, String> dlqProducer, SolrClientSecurity security) {

    @Override
    public String toString() {
        return "SolrSinkSettings[urls=" + solrUrls + ", collection=" + collection + ", format=" + format + ", batchSize=" + batchSize
                + ", onRejected=" + onRejected + ", dlqTopic=" + dlqTopic + ", dlqProducer=" + Redaction.redact(dlqProducer)
                + ", security=" + security + "]";
    }

    /** What to do with a record that cannot be indexed. */
    public enum OnRejected { DLQ, FAIL }

    public static final String SOLR_URLS = "solrUrls";
    public static final String COLLECTION = "collection";
    public static final String FORMAT = "format";
    public static final String BATCH_SIZE = "batchSize";
    public static final String COMMIT_WITHIN_MS = "commitWithinMs";
    public static final String INITIAL_BACKOFF_MS = "retry.initialBackoffMs";
    public static final String MAX_BACKOFF_MS = "retry.maxBackoffMs";
    public static final String DEADLINE_MS = "retry.deadlineMs";
    public static final String REQUEST_TIMEOUT_MS = "requestTimeoutMs";
    public static final String MAX_FIELD_BYTES = "maxFieldBytes";
    public static final String MAX_RECORD_BYTES = "maxRecordBytes";
    public static final String ON_REJECTED = "onRejected";
    public static final String DLQ_TOPIC = "dlq.topic";
    public static final String DLQ_BOOTSTRAP = "dlq.bootstrap.servers";
    public static final String DLQ_PRODUCER_PREFIX = "dlq.producer.";

    /** Lucene's limit for one indexed term: a longer string field cannot be indexed. */
    public static final int LUCENE_MAX_TERM_BYTES = 32766;

    private static final Set<String> KEYS = Set.of(SOLR_URLS, COLLECTION, FORMAT, BATCH_SIZE, COMMIT_WITHIN_MS,
            INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, DEADLINE_MS, REQUEST_TIMEOUT_MS, MAX_FIELD_BYTES, MAX_RECORD_BYTES,
            ON_REJECTED, DLQ_TOPIC, DLQ_BOOTSTRAP);
    /** Keys Flume itself puts into every sink's context. */
    private static final Set<String> FLUME_KEYS = Set.of("type", "channel");

    /** Reads and checks the settings; the exception lists every problem, each naming its key. */
    public static SolrSinkSettings from(Context context, String sinkName) {
        Problems problems = new Problems(sinkName);
        Map<String, String> all = context.getParameters();
        for (String key : new TreeSet<>(all.keySet())) {
            if (!KEYS.contains(key) && !FLUME_KEYS.contains(key) && !SolrClientSecurity.KEYS.contains(key)
                    && !key.startsWith(DLQ_PRODUCER_PREFIX)) {
                String near = nearest(key);
                problems.add(key, "unknown key" + (near == null ? "" : " (did you mean '" + near + "'?)"));
            }
        }
        List<String> urls = Arrays.stream(all.getOrDefault(SOLR_URLS, "").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (urls.isEmpty()) {
            problems.add(SOLR_URLS, "required: comma-separated Solr base URLs, e.g. http://host:8983/solr");
        }
        for (String url : urls) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                problems.add(SOLR_URLS, "'" + url + "' is not an http(s) URL");
            }
        }
        String collection = all.getOrDefault(COLLECTION, "").trim();
        if (collection.isEmpty()) {
            problems.add(COLLECTION, "required: the Solr collection to index into");
        }
        DocumentMapper.Format format = enumValue(problems, all, FORMAT, DocumentMapper.Format.class, DocumentMapper.Format.EVENT);
        OnRejected onRejected = enumValue(problems, all, ON_REJECTED, OnRejected.class, OnRejected.DLQ);
        int batchSize = (int) number(problems, all, BATCH_SIZE, 1000, 1, 100_000);
        int commitWithin = (int) number(problems, all, COMMIT_WITHIN_MS, 5000, 0, 3_600_000);
        long initialBackoff = number(problems, all, INITIAL_BACKOFF_MS, 100, 1, 600_000);
        long maxBackoff = number(problems, all, MAX_BACKOFF_MS, 5000, 1, 600_000);
        long deadline = number(problems, all, DEADLINE_MS, 60_000, 0, 3_600_000);
        int requestTimeout = (int) number(problems, all, REQUEST_TIMEOUT_MS, 30_000, 100, 600_000);
        int maxFieldBytes = (int) number(problems, all, MAX_FIELD_BYTES, LUCENE_MAX_TERM_BYTES, 1, LUCENE_MAX_TERM_BYTES);
        int maxRecordBytes = (int) number(problems, all, MAX_RECORD_BYTES, 1024 * 1024, 1, 64 * 1024 * 1024);
        if (maxBackoff < initialBackoff) {
            problems.add(MAX_BACKOFF_MS, "must be at least " + INITIAL_BACKOFF_MS + " (" + initialBackoff + ")");
        }
        String dlqTopic = all.getOrDefault(DLQ_TOPIC, "events.dlq").trim();
        Map<String, String> producer = new LinkedHashMap<>();
        all.forEach((key, value) -> {
            if (key.startsWith(DLQ_PRODUCER_PREFIX)) {
                producer.put(key.substring(DLQ_PRODUCER_PREFIX.length()), value);
            }
        });
        String bootstrap = all.getOrDefault(DLQ_BOOTSTRAP, "").trim();
        if (onRejected == OnRejected.DLQ) {
            if (bootstrap.isEmpty()) {
                problems.add(DLQ_BOOTSTRAP, "required with " + ON_REJECTED + "=dlq: the Kafka cluster of the dead-letter topic");
            }
            if (dlqTopic.isEmpty()) {
                problems.add(DLQ_TOPIC, "must not be empty");
            }
        }
        producer.put("bootstrap.servers", bootstrap);
        problems.throwIfAny();
        SolrClientSecurity security;
        try {
            // Stores are opened and secrets read now, so a bad one stops the agent at start naming its key.
            security = SolrClientSecurity.from(all, "", Secrets.fromProcess());
            if (onRejected == OnRejected.DLQ) {
                KafkaClientSecurity.check(producer, DLQ_PRODUCER_PREFIX);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("Solr sink '" + sinkName + "' is misconfigured: " + e.getMessage());
        }
        return new SolrSinkSettings(urls, collection, format, batchSize, commitWithin, initialBackoff, maxBackoff, deadline,
                requestTimeout, maxFieldBytes, maxRecordBytes, onRejected, dlqTopic, Map.copyOf(producer), security);
    }

    private static <E extends Enum<E>> E enumValue(Problems problems, Map<String, String> all, String key, Class<E> type, E fallback) {
        String value = all.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(key, "'" + value + "' is not one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
            return fallback;
        }
    }

    private static long number(Problems problems, Map<String, String> all, String key, long fallback, long min, long max) {
        String value = all.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < min || parsed > max) {
                problems.add(key, parsed + " is out of range [" + min + ", " + max + "]");
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(key, "'" + value + "' is not a whole number");
            return fallback;
        }
    }

    /** The known key within edit distance 2 of a misspelled one, or null. */
    static String nearest(String key) {
        String best = null;
        int bestDistance = 3;
        for (String known : KEYS) {
            int distance = distance(key.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = known;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static final class Problems {
        private final String sinkName;
        private final List<String> messages = new java.util.ArrayList<>();

        Problems(String sinkName) {
            this.sinkName = sinkName;
        }

        void add(String key, String message) {
            messages.add(key + ": " + message);
        }

        void throwIfAny() {
            if (!messages.isEmpty()) {
                throw new ConfigurationException("Solr sink '" + sinkName + "' is misconfigured: " + String.join("; ", messages));
            }
        }
    }
}
