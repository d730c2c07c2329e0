package dev.sluice.interceptors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import dev.sluice.common.event.MalformedEventException.Reason;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.schema.Attribute;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.flume.ChannelException;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Adds each event's profile attributes (those the schema marks {@code enrich}) from HBase, as the
 * envelope's {@code profile} object: the unpartitioned enrichment pattern. Per Flume batch it makes
 * at most ONE multi-get, for the keys its Caffeine cache does not hold; the cache keeps profiles for
 * {@code cacheTtlSeconds} and known absences for {@code negativeTtlSeconds}, up to {@code cacheMaxSize} keys.
 *
 * <p>Header {@code sluice.profile} tells what happened: {@code found}, {@code missing} (no profile:
 * the event goes on un-enriched) or {@code unavailable}. When HBase does not answer within
 * {@code hbaseTimeoutMs}, {@code onUnavailable} decides:
 * <ul>
 *   <li>{@code pass} (default): the batch goes on un-enriched, flagged {@code unavailable}: the
 *       pipe never stalls, and the consumer downstream can enrich later;</li>
 *   <li>{@code block}: the batch is refused with a {@link ChannelException}, which a source turns
 *       into back-pressure (the HTTP source answers 503, the client retries): nothing passes
 *       un-enriched and nothing is lost.</li>
 * </ul>
 *
 * <p>Needs the {@code key} header that {@link IdentifyInterceptor} sets: put it after identify.
 * The schema and bucket count come from the profiles table. Sample:
 * <pre>
 * agent.sources.http.interceptors = validate identify enrich
 * agent.sources.http.interceptors.enrich.type = dev.sluice.interceptors.EnrichInterceptor$Builder
 * agent.sources.http.interceptors.enrich.zookeeperQuorum = zk1:2181,zk2:2181
 * agent.sources.http.interceptors.enrich.table = profiles
 * agent.sources.http.interceptors.enrich.cacheMaxSize = 100000
 * agent.sources.http.interceptors.enrich.cacheTtlSeconds = 300
 * agent.sources.http.interceptors.enrich.negativeTtlSeconds = 60
 * agent.sources.http.interceptors.enrich.onUnavailable = pass
 * agent.sources.http.interceptors.enrich.hbaseTimeoutMs = 2000
 * </pre>
 */
public final class EnrichInterceptor extends CountingInterceptor {

    static final String STAGE = "enrich";
    public static final String PROFILE_HEADER = "sluice.profile";

    /** What to do with a batch when HBase does not answer. */
    public enum UnavailablePolicy { PASS, BLOCK }

    /** Where profiles come from: HBase in an agent, a fake in unit tests. */
    interface ProfileLookup extends AutoCloseable {
        ProfileSchema schema();

        Map<String, Profile> getAll(Collection<String> keys) throws IOException;

        @Override
        void close();
    }

    private static final Logger LOG = LoggerFactory.getLogger(EnrichInterceptor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<ProfileLookup> opener;
    private final Cache<String, Optional<ObjectNode>> cache;
    private final UnavailablePolicy policy;
    private final EnrichCounters counters;
    private final EventCodec codec = new EventCodec(Integer.MAX_VALUE);
    private ProfileLookup lookup;
    private List<Attribute> attributes;
    private Map<String, Optional<ObjectNode>> batch = Map.of();
    private boolean inBatch;
    private long unavailableLogged;

    EnrichInterceptor(Supplier<ProfileLookup> opener, long cacheMaxSize, Duration ttl, Duration negativeTtl,
                      UnavailablePolicy policy, EnrichCounters counters) {
        super(counters);
        this.opener = opener;
        this.policy = policy;
        this.counters = counters;
        this.cache = Caffeine.newBuilder().maximumSize(cacheMaxSize).expireAfter(new Expiry<String, Optional<ObjectNode>>() {
            @Override
            public long expireAfterCreate(String key, Optional<ObjectNode> value, long now) {
                return (value.isPresent() ? ttl : negativeTtl).toNanos();
            }

            @Override
            public long expireAfterUpdate(String key, Optional<ObjectNode> value, long now, long remaining) {
                return expireAfterCreate(key, value, now);
            }

            @Override
            public long expireAfterRead(String key, Optional<ObjectNode> value, long now, long remaining) {
                return remaining;
            }
        }).build();
    }

    @Override
    public void initialize() {
        super.initialize();
        lookup = opener.get();
        List<Attribute> enrich = lookup.schema().enrichAttributes();
        attributes = enrich.isEmpty() ? List.copyOf(lookup.schema().attributes().values()) : enrich;
    }

    @Override
    public List<Event> intercept(List<Event> events) {
        Set<String> keys = new LinkedHashSet<>();
        for (Event event : events) {
            String key = event.getHeaders().get("key");
            if (key != null && !Routing.isDeadLettered(event)) {
                keys.add(key);
            }
        }
        prefetch(keys);
        inBatch = true;
        try {
            return super.intercept(events);
        } finally {
            inBatch = false;
            batch = Map.of();
        }
    }

    @Override
    public Event intercept(Event event) {
        if (!inBatch) {
            return intercept(List.of(event)).get(0);
        }
        return super.intercept(event);
    }

    /** Fills {@link #batch} for these keys: cache first, then one multi-get for the rest. */
    private void prefetch(Set<String> keys) {
        Map<String, Optional<ObjectNode>> found = new HashMap<>(cache.getAllPresent(keys));
        counters.add(EnrichCounters.CACHE_HITS, found.size());
        List<String> misses = keys.stream().filter(k -> !found.containsKey(k)).toList();
        if (!misses.isEmpty()) {
            counters.add(EnrichCounters.HBASE_CALLS, 1);
            counters.add(EnrichCounters.HBASE_KEYS, misses.size());
            try {
                Map<String, Profile> profiles = lookup.getAll(misses);
                for (String key : misses) {
                    Profile profile = profiles.get(key);
                    Optional<ObjectNode> value = profile == null ? Optional.empty() : Optional.of(toJson(profile));
                    cache.put(key, value);
                    found.put(key, value);
                }
            } catch (IOException | RuntimeException e) {
                if (policy == UnavailablePolicy.BLOCK) {
                    throw new ChannelException("enrich: HBase did not answer for " + misses.size()
                            + " profiles; refusing the batch (onUnavailable=block): " + e.getMessage(), e);
                }
                if (unavailableLogged++ % 1000 == 0) {
                    LOG.warn("enrich: HBase did not answer ({}); passing events un-enriched (onUnavailable=pass)", e.toString());
                }
            }
        }
        batch = found;
    }

    private ObjectNode toJson(Profile profile) {
        ObjectNode node = JSON.createObjectNode();
        for (Attribute attribute : attributes) {
            Object value = profile.attributes().get(attribute.name());
            if (value != null) {
                node.set(attribute.name(), attribute.type().toJson(value));
            }
        }
        return node;
    }

    @Override
    Outcome process(Event event) {
        if (Routing.isDeadLettered(event)) {
            return Outcome.PASSED_THROUGH;
        }
        String key = event.getHeaders().get("key");
        if (key == null) {
            Routing.deadLetter(event, STAGE, Reason.MISSING_FIELD.name(), "key",
                    "no 'key' header: the identify interceptor must run before enrich");
            return Outcome.DEAD_LETTERED;
        }
        Optional<ObjectNode> profile = batch.get(key);
        if (profile == null) {
            event.getHeaders().put(PROFILE_HEADER, "unavailable");
            counters.add(EnrichCounters.HBASE_UNAVAILABLE, 1);
            return Outcome.ACCEPTED;
        }
        if (profile.isEmpty()) {
            event.getHeaders().put(PROFILE_HEADER, "missing");
            counters.add(EnrichCounters.PROFILE_MISSING, 1);
            return Outcome.ACCEPTED;
        }
        try {
            event.setBody(codec.encode(codec.decode(event.getBody()).withProfile(profile.get().deepCopy())));
        } catch (MalformedEventException e) {
            Routing.deadLetter(event, STAGE, e.reason().name(), e.field(), "not a Sluice envelope: " + e.getMessage());
            return Outcome.DEAD_LETTERED;
        }
        event.getHeaders().put(PROFILE_HEADER, "found");
        return Outcome.ACCEPTED;
    }

    @Override
    public void close() {
        if (lookup != null) {
            lookup.close();
            lookup = null;
        }
        super.close();
    }

    /** Builds {@link EnrichInterceptor}; fails at configure time naming a missing or bad key. */
    public static final class Builder implements Interceptor.Builder {
        public static final String ZOOKEEPER_QUORUM = "zookeeperQuorum";
        public static final String ZNODE_PARENT = "znodeParent";
        public static final String TABLE = "table";
        public static final String CACHE_MAX_SIZE = "cacheMaxSize";
        public static final String CACHE_TTL_SECONDS = "cacheTtlSeconds";
        public static final String NEGATIVE_TTL_SECONDS = "negativeTtlSeconds";
        public static final String ON_UNAVAILABLE = "onUnavailable";
        public static final String HBASE_TIMEOUT_MS = "hbaseTimeoutMs";

        private String quorum;
        private String znodeParent;
        private String table;
        private int cacheMaxSize;
        private int ttlSeconds;
        private int negativeTtlSeconds;
        private int timeoutMs;
        private UnavailablePolicy policy;
        private String name;

        @Override
        public void configure(Context context) {
            quorum = ConfigKeys.required(context, STAGE, ZOOKEEPER_QUORUM);
            znodeParent = context.getString(ZNODE_PARENT, "/hbase");
            table = context.getString(TABLE, "profiles");
            cacheMaxSize = ConfigKeys.positiveInt(context, STAGE, CACHE_MAX_SIZE, 100_000);
            ttlSeconds = ConfigKeys.positiveInt(context, STAGE, CACHE_TTL_SECONDS, 300);
            negativeTtlSeconds = ConfigKeys.positiveInt(context, STAGE, NEGATIVE_TTL_SECONDS, 60);
            timeoutMs = ConfigKeys.positiveInt(context, STAGE, HBASE_TIMEOUT_MS, 2000);
            String onUnavailable = context.getString(ON_UNAVAILABLE, "pass").trim();
            try {
                policy = UnavailablePolicy.valueOf(onUnavailable.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(STAGE + " interceptor: '" + ON_UNAVAILABLE + "' must be pass or block, was '" + onUnavailable + "'");
            }
            name = InterceptorCounters.nameFor(context, STAGE);
        }

        @Override
        public Interceptor build() {
            if (quorum == null) {
                throw new IllegalStateException(STAGE + " interceptor: '" + ZOOKEEPER_QUORUM + "' is required");
            }
            String quorum = this.quorum;
            String znodeParent = this.znodeParent;
            String table = this.table;
            int timeoutMs = this.timeoutMs;
            return new EnrichInterceptor(() -> hbaseLookup(quorum, znodeParent, table, timeoutMs), cacheMaxSize,
                    Duration.ofSeconds(ttlSeconds), Duration.ofSeconds(negativeTtlSeconds), policy, new EnrichCounters(name));
        }

        private static ProfileLookup hbaseLookup(String quorum, String znodeParent, String table, int timeoutMs) {
            Configuration conf = HBaseConfiguration.create();
            conf.set("hbase.zookeeper.quorum", quorum);
            conf.set("zookeeper.znode.parent", znodeParent);
            // Bounded: a slow or absent HBase costs one timeout per batch, never an unbounded stall.
            conf.setInt("hbase.client.retries.number", 1);
            conf.setInt("hbase.rpc.timeout", timeoutMs);
            conf.setInt("hbase.client.operation.timeout", timeoutMs);
            try {
                Connection connection = ConnectionFactory.createConnection(conf);
                ProfileStore store = ProfileStore.open(connection, TableName.valueOf(table), null);
                return new ProfileLookup() {
                    @Override
                    public ProfileSchema schema() {
                        return store.schema();
                    }

                    @Override
                    public Map<String, Profile> getAll(Collection<String> keys) throws IOException {
                        return store.getAll(keys);
                    }

                    @Override
                    public void close() {
                        try {
                            connection.close();
                        } catch (IOException e) {
                            LOG.debug("closing the HBase connection", e);
                        }
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException("enrich interceptor: cannot open profiles table '" + table + "' via ZooKeeper " + quorum, e);
            }
        }
    }
}
