package dev.sluice.consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.event.Event;
import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import dev.sluice.common.event.RawEvent;
import dev.sluice.common.kafka.BucketPartitioner;
import dev.sluice.common.kafka.PipelineTopics;
import dev.sluice.common.kafka.SocketBuffers;
import dev.sluice.common.security.KafkaClientSecurity;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileStore;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.schema.ProfileSchema;
import dev.sluice.rules.Alert;
import dev.sluice.rules.RuleFailure;
import dev.sluice.rules.RuleSet;
import dev.sluice.rules.RulesException;
import dev.sluice.rules.WindowStore;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One instance of the enrichment and alerting service.
 *
 * <p>It is a member of a consumer group on the input topic. The partitions it owns decide the
 * profiles it holds: a newly assigned partition is paused while its buckets are scanned from
 * HBase and its window checkpoints are read back from the changelog, then resumed; a revoked one
 * is dropped. It also follows the {@code profiles.updates} partitions that carry its keys, so a
 * profile change reaches the cache of the key's owner, in order.
 *
 * <p>Work is made durable at commit points, every {@code commit.interval.ms}, not per poll. Under
 * exactly-once, everything since the last commit point — outputs (enriched events, alerts, dead
 * letters), window checkpoints and input offsets — is one Kafka transaction; a failure aborts it
 * and the instance reloads its partitions from the last commit. Under at-least-once, outputs are
 * sent without waiting and offsets are committed once the outputs before them are acknowledged
 * ({@link CommitUnit}). Rebalance callbacks run inside {@code poll}, between batches: a revocation
 * first commits what is pending. A poll's records are processed by partition-affine threads
 * ({@code processing.threads}); everything else runs on the polling thread.
 */
public final class PartitionedConsumer implements AutoCloseable {

    /** Header on an enriched event whose key has no profile (policy PASS or LOOKUP). */
    public static final String PROFILE_HEADER = "sluice.profile";

    /** The output producers' {@code batch.size} unless {@code kafka.producer.batch.size} sets it: 128 KB, Kafka's is 16 KB. */
    public static final int OUTPUT_BATCH_BYTES = 128 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PartitionedConsumer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    // Non-blocking polls that may add to one batch: enough to reach the partitions fetched so far.
    private static final int MAX_GATHER_POLLS = 8;
    // A gathered batch stops growing here (a few polls' worth), so commit points stay on time.
    private static final int MAX_BATCH_RECORDS = 5000;
    // Records whose profiles are prefetched together: enough to overlap the misses, few enough to stay in the CPU's cache.
    private static final int PREFETCH_CHUNK = 128;
    /**
     * Below this many records (about 0.5 ms of work at ~2 µs a record) a batch is processed on the polling thread
     * alone: at moderate loads most batches are this small, and a hand-off would add a thread wake-up to each.
     */
    private static final int PARALLEL_MIN_RECORDS = 256;

    private final ConsumerSettings settings;
    private final EventCodec codec;
    private final Connection hbase;
    private final ProfileStore store;
    private final ProfileSchema schema;
    private final ProfileEnrichment enrichment;
    private final Buckets buckets;
    private final int inputPartitions;
    private final int updatePartitions;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaConsumer<String, byte[]> updates;
    // Where outputs go; under exactly-once, the producer of the open transaction.
    private KafkaProducer<String, byte[]> producer;
    // Exactly-once: the second transactional producer. A closed transaction commits on the committer thread
    // while the next one fills on the other producer, so processing does not wait for the commit's round trips.
    private KafkaProducer<String, byte[]> spare;
    private final ExecutorService committer; // exactly-once only
    // Without an instance id, the transactional ids of this run: unique, so no two dynamic members fence each other.
    private final String dynamicId = "dynamic-" + java.util.UUID.randomUUID();
    // Exactly-once: the commit in flight on the committer thread and the records it makes durable; null when none.
    private Future<?> committing;
    private CommitUnit committingUnit;
    // Exactly-once: a commit failed and no rewind has followed yet. The open transaction holds records after the
    // failed one's, so committing it would skip them: a stop after such a failure (its revocation commits) once did.
    private boolean commitFailed;
    private final boolean exactlyOnce;
    private final ExecutorService loaders;
    private final ProfileCache cache = new ProfileCache();
    // One window store per processing thread: partition p's keys live in windows[p % threads].
    private final WindowStore[] windows;
    private final ExecutorService workers; // null with one processing thread
    private final DeadLetters deadLetters;
    private final ConsumerMetrics metrics;
    private final KafkaClientMetrics consumerMetrics;
    private final Map<Integer, Future<PartitionLoad.Result>> loading = new HashMap<>();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    // Records processed since the last commit point (exactly-once: the open transaction).
    private CommitUnit unit = new CommitUnit();
    // At-least-once: sealed units whose outputs are not all acknowledged yet, oldest first.
    private final java.util.ArrayDeque<CommitUnit> sealed = new java.util.ArrayDeque<>();
    // At-least-once: per partition, the position after the last record whose outputs are acknowledged.
    private final Map<TopicPartition, OffsetAndMetadata> acknowledgedOffsets = new HashMap<>();
    // At-least-once: an offset commit failed, and the acknowledged offsets are to be committed again even if no
    // more records come (after a broker restart the last batch's commits can all fail while the coordinator loads).
    private boolean offsetsToRetry;
    private boolean offsetCommitsFailing;
    private boolean transactionOpen;
    // Counts rebalance callbacks, so a batch gathered across several polls knows whether ownership changed meanwhile.
    private long rebalanceGeneration;
    private long lastCommitNanos = System.nanoTime();

    private RuleSet rules;
    private long rulesModified;
    private long nextRulesCheck;
    private volatile boolean running = true;
    private volatile boolean stopped;
    // Whether the group has ever given this instance an assignment (see hasBeenAMember).
    private volatile boolean member;

    private PartitionedConsumer(ConsumerSettings settings) throws IOException {
        this.settings = settings;
        this.codec = new EventCodec(settings.maxEventBytes());
        this.exactlyOnce = settings.guarantee() == ConsumerSettings.Guarantee.EXACTLY_ONCE;
        this.rules = settings.rulesFile().isPresent() ? loadRulesOrFail(settings.rulesFile().get()) : RuleSet.empty();
        this.rulesModified = lastModified(settings.rulesFile());
        // Key and trust stores are opened now: a missing one, a wrong password or an expired certificate
        // fails here naming its setting, not later as a TLS handshake error.
        KafkaClientSecurity.check(common(), "kafka.common.");

        Configuration conf = HBaseConfiguration.create();
        settings.hbase().forEach(conf::set);
        this.hbase = ConnectionFactory.createConnection(conf);
        this.store = ProfileStore.open(hbase, TableName.valueOf(settings.profilesTable()), null);
        this.schema = store.schema();
        this.enrichment = new ProfileEnrichment(schema);
        this.buckets = store.buckets();
        this.windows = new WindowStore[settings.processingThreads()];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new WindowStore(rules.windows());
        }
        this.workers = windows.length == 1 ? null : Executors.newFixedThreadPool(windows.length, daemonThreads("processing"));

        try (Admin admin = Admin.create(common())) {
            this.inputPartitions = partitionCount(admin, settings.topics().input());
            ensureTopic(admin, settings.topics().enriched(), inputPartitions, Map.of());
            ensureTopic(admin, settings.topics().alerts(), inputPartitions, Map.of());
            // As 'sluice topics init' makes it: the tier-1 agents dead-letter any event their sources accept here too.
            ensureTopic(admin, settings.topics().dlq(), inputPartitions, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                    Integer.toString(PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES)));
            ensureTopic(admin, settings.topics().changelog(), inputPartitions,
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                ProfileUpdates.ensureTopic(admin, settings.topics().updates(), inputPartitions);
            } catch (IOException e) {
                throw new ExecutionException(naming(e.getCause(), settings.topics().updates()));
            }
            this.updatePartitions = partitionCount(admin, settings.topics().updates());
            int changelogPartitions = partitionCount(admin, settings.topics().changelog());
            if (changelogPartitions != inputPartitions) {
                throw new IllegalStateException("topic " + settings.topics().changelog() + " has " + changelogPartitions
                        + " partitions, it needs exactly as many as " + settings.topics().input() + " (" + inputPartitions + ")");
            }
            int dlqPartitions = partitionCount(admin, settings.topics().dlq());
            this.deadLetters = new DeadLetters(settings.topics().dlq(), dlqPartitions, settings.displayName());
        } catch (ExecutionException | InterruptedException | java.util.concurrent.TimeoutException e) {
            hbase.close();
            MissingPermissionException.rethrowIfUnauthorized(e, settings);
            throw new IOException("cannot reach Kafka at " + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
        if (!buckets.isAlignedWith(inputPartitions)) {
            LOG.warn("{} buckets do not divide evenly over {} partitions: partitions own unequal bucket counts",
                    buckets.bucketCount(), inputPartitions);
        }

        this.consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new ByteArrayDeserializer());
        this.updates = new KafkaConsumer<>(plainConsumerConfig("updates"), new StringDeserializer(), new ByteArrayDeserializer());
        this.committer = exactlyOnce ? Executors.newSingleThreadExecutor(daemonThreads("commit")) : null;
        try {
            // Both ids are initialised at start: a zombie of this instance is fenced on either. Kafka must answer now.
            this.producer = exactlyOnce ? TransactionalProducers.start(() -> newProducer(0), () -> false) : newProducer(0);
            this.spare = exactlyOnce ? TransactionalProducers.start(() -> newProducer(1), () -> false) : null;
        } catch (KafkaException e) {
            MissingPermissionException.rethrowIfUnauthorized(e, settings);
            throw e;
        }
        this.loaders = Executors.newFixedThreadPool(2, daemonThreads("partition-load"));
        this.metrics = new ConsumerMetrics(settings.displayName(), settings.metricsPort(), cache, this::statusJson);
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(metrics.registry());
        writeStatusFile();
    }

    /** Connects to Kafka and HBase and checks topics and rules; fails before consuming anything. */
    public static PartitionedConsumer start(ConsumerSettings settings) throws IOException {
        return new PartitionedConsumer(settings);
    }

    /** The port of the metrics and status HTTP server. */
    public int metricsPort() {
        return metrics.port();
    }

    /** Processes until {@link #stop()} is called or a fatal error (another instance took this one's instance id in the group). */
    public void run() {
        consumer.subscribe(List.of(settings.topics().input()), new Rebalances());
        LOG.info("{} consuming {} ({} partitions, {}, commit every {} ms, unknown profiles: {}), metrics on port {}",
                settings.displayName(), settings.topics().input(), inputPartitions, settings.guarantee(),
                settings.commitInterval().toMillis(), settings.unknownProfile(), metrics.port());
        boolean stoppedCleanly = false;
        try {
            while (running) {
                maybeReloadRules();
                completeLoads();
                applyUpdates();
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(pollTimeout());
                } catch (WakeupException e) {
                    break;
                }
                try {
                    failIfAnySendFailed();
                    if (!records.isEmpty()) {
                        processBatch(gather(records));
                    }
                    if (commitDue()) {
                        commit(false);
                    } else {
                        collectCommitIfDone();
                    }
                } catch (FencedInstanceIdException e) {
                    throw e;
                } catch (KafkaException e) {
                    rewind(e);
                }
            }
            commitOrRewind(true);
            stoppedCleanly = true;
            LOG.info("{} stopped: everything it processed is committed", settings.displayName());
        } catch (FencedInstanceIdException e) {
            LOG.error("{} was fenced by a newer instance with the same instance id; stopping: {}", settings.displayName(), e.toString());
            throw e;
        } catch (RuntimeException e) {
            MissingPermissionException.rethrowIfUnauthorized(e, settings);
            throw e;
        } finally {
            if (!stoppedCleanly) {
                abandonOpenTransaction();
            }
            // Over: a rewind that close() may still run (a revocation) does not wait for Kafka without end.
            running = false;
            stopped = true;
        }
    }

    /**
     * Whether the group has ever assigned partitions (possibly none) to this instance. When an instance that was a
     * member is refused its instance id later, another process holds it: this one is a zombie, and must not wait for
     * the id as a process restarted after a crash does.
     */
    public boolean hasBeenAMember() {
        return member;
    }

    /**
     * Asks the loop to finish its batch, commit it and return; safe from any thread. No wakeup():
     * it would interrupt the commit of the batch in flight, and a poll returns within 100 ms anyway.
     */
    public void stop() {
        running = false;
    }

    /**
     * One poll often holds the records of a single partition (the consumer hands out one fetched
     * partition at a time), which only one processing thread could work on. So the records the
     * consumer has already fetched are gathered from further non-blocking polls, until every
     * processing thread has a partition or the batch is large, and processed together.
     *
     * <p>A rebalance callback may run inside those polls: records gathered for a partition that was
     * revoked, lost, or is paused again for a reload are dropped, not processed. Their offsets were
     * not committed, so their next owner (or this instance, after the reload) reads them again.
     */
    private Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> gather(ConsumerRecords<String, byte[]> first) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> batch = new LinkedHashMap<>();
        int count = add(batch, first);
        if (workers == null) {
            return batch;
        }
        long generation = rebalanceGeneration;
        for (int polls = 0; polls < MAX_GATHER_POLLS && count < MAX_BATCH_RECORDS && !everyThreadHasWork(batch); polls++) {
            ConsumerRecords<String, byte[]> more = consumer.poll(Duration.ZERO);
            if (more.isEmpty()) {
                break;
            }
            count += add(batch, more);
        }
        if (generation != rebalanceGeneration) {
            Set<TopicPartition> assigned = consumer.assignment();
            Set<TopicPartition> paused = consumer.paused();
            batch.keySet().removeIf(tp -> !assigned.contains(tp) || paused.contains(tp) || !cache.owns(tp.partition()));
        }
        return batch;
    }

    private static int add(Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> batch, ConsumerRecords<String, byte[]> records) {
        // Copied into lists of our own: the consumer's per-partition lists are not ours to append to.
        records.partitions().forEach(tp -> batch.computeIfAbsent(tp, k -> new ArrayList<>()).addAll(records.records(tp)));
        return records.count();
    }

    private boolean everyThreadHasWork(Map<TopicPartition, ?> batch) {
        long slots = batch.keySet().stream().mapToInt(tp -> tp.partition() % windows.length).distinct().count();
        return slots == windows.length;
    }

    private void processBatch(Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        if (exactlyOnce && !transactionOpen) {
            producer.beginTransaction();
            transactionOpen = true;
        }
        if (workers == null || batch.size() == 1 || batch.values().stream().mapToInt(List::size).sum() < PARALLEL_MIN_RECORDS) {
            batch.values().forEach(this::processPartition);
        } else {
            processInParallel(batch);
        }
        batch.values().forEach(unit::processed);
    }

    /**
     * Partition-affine parallelism: a partition's records go to one thread, in order, so per-key
     * order, the partition's cache and its keys' windows each have a single writer; a key's outputs
     * go to the same output partition from that one thread. The polling thread works on the first
     * slot itself; the batch ends when every thread is done.
     */
    private void processInParallel(Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> batch) {
        List<List<TopicPartition>> slots = new ArrayList<>();
        for (int i = 0; i < windows.length; i++) {
            slots.add(new ArrayList<>());
        }
        batch.keySet().forEach(tp -> slots.get(tp.partition() % windows.length).add(tp));
        slots.removeIf(List::isEmpty);
        List<Future<?>> running = new ArrayList<>();
        for (List<TopicPartition> slot : slots.subList(1, slots.size())) {
            running.add(workers.submit(() -> slot.forEach(tp -> processPartition(batch.get(tp)))));
        }
        RuntimeException failure = null;
        try {
            slots.get(0).forEach(tp -> processPartition(batch.get(tp)));
        } catch (RuntimeException e) {
            failure = e;
        }
        // Every thread is waited for, even after a failure: none may still be sending when the batch is rewound.
        for (Future<?> future : running) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new KafkaException("interrupted while processing a batch", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void processPartition(List<ConsumerRecord<String, byte[]>> records) {
        byte[][] keys = new byte[PREFETCH_CHUNK][];
        for (int from = 0; from < records.size(); from += PREFETCH_CHUNK) {
            List<ConsumerRecord<String, byte[]>> chunk = records.subList(from, Math.min(records.size(), from + PREFETCH_CHUNK));
            // The record key is the event's key when its producer keys by entity (the bucket partitioner needs it);
            // if not, the prefetch is wasted, and process() looks up the event's own key anyway.
            int count = 0;
            for (ConsumerRecord<String, byte[]> record : chunk) {
                if (record.key() != null) {
                    keys[count++] = record.key().getBytes(StandardCharsets.UTF_8);
                }
            }
            cache.prefetch(chunk.get(0).partition(), keys, count);
            for (ConsumerRecord<String, byte[]> record : chunk) {
                process(record);
            }
        }
    }

    private WindowStore windowsOf(int partition) {
        return windows[partition % windows.length];
    }

    /** Commit points are time-based (like Kafka Streams' commit.interval.ms), not one per poll: a commit costs round trips. */
    private boolean commitDue() {
        return (hasPending() || offsetsToRetry) && System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos();
    }

    /** Records processed and not yet committed (under exactly-once, exactly when a transaction is open). */
    private boolean hasPending() {
        return !unit.isEmpty() || !sealed.isEmpty();
    }

    /** Polls no longer than until the next commit is due, so a quiet input does not hold a commit back. */
    private Duration pollTimeout() {
        if (!hasPending() && !offsetsToRetry) {
            // A commit in flight is collected soon after it lands: that is when its records' latency is known.
            return Duration.ofMillis(committing == null ? 100 : 5);
        }
        long untilDue = settings.commitInterval().toNanos() - (System.nanoTime() - lastCommitNanos);
        return Duration.ofNanos(Math.max(0, Math.min(untilDue, TimeUnit.MILLISECONDS.toNanos(100))));
    }

    /**
     * Makes the processed records durable. Exactly-once: checkpoints, offsets and outputs commit as one
     * transaction. At-least-once: the open unit is sealed, and the offsets of every unit whose outputs
     * are all acknowledged are committed (asynchronously, unless {@code waitForAll}: then after a flush,
     * synchronously — before partitions are handed over or the instance stops).
     */
    private void commit(boolean waitForAll) {
        long commitStart = System.nanoTime();
        lastCommitNanos = commitStart;
        if (exactlyOnce) {
            commitTransaction(waitForAll);
            return;
        }
        writeCheckpoints();
        if (!unit.isEmpty()) {
            unit.seal();
            sealed.add(unit);
            unit = new CommitUnit();
        }
        if (waitForAll) {
            producer.flush();
            failIfAnySendFailed();
        }
        boolean any = false;
        while (!sealed.isEmpty() && sealed.peek().isComplete()) {
            CommitUnit done = sealed.poll();
            acknowledgedOffsets.putAll(done.offsets());
            completed(done);
            any = true;
        }
        if (!any && !waitForAll && !offsetsToRetry) {
            return;
        }
        acknowledgedOffsets.keySet().retainAll(consumer.assignment());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(acknowledgedOffsets);
        offsetsToRetry = false;
        if (waitForAll) {
            consumer.commitSync(offsets);
            metrics.commitDuration.record(System.nanoTime() - commitStart, TimeUnit.NANOSECONDS);
        } else {
            consumer.commitAsync(offsets, (committed, failure) -> {
                if (failure != null) {
                    // Committed again at the next commit point, with or without new records (the callback runs in
                    // poll, on this thread); a crash before that repeats these records.
                    offsetsToRetry = true;
                    if (!offsetCommitsFailing) { // once per run of failures: while the coordinator is away every retry fails
                        LOG.warn("offset commit failed, retried at the next commit point: {}", failure.toString());
                    }
                    offsetCommitsFailing = true;
                } else {
                    if (offsetCommitsFailing) {
                        LOG.info("offset commits succeed again");
                    }
                    offsetCommitsFailing = false;
                    metrics.commitDuration.record(System.nanoTime() - commitStart, TimeUnit.NANOSECONDS);
                }
            });
        }
    }

    /**
     * Exactly-once. Transactions commit in order, each from the producer that filled it. The open one is
     * flushed, so that every output of it is appended before any of the next transaction's (which the other
     * producer's connection carries); its commit is handed to the committer thread, and the next transaction
     * fills on the other producer meanwhile. Only the flush waits for the broker here: sending the offsets
     * and committing took two to three round trips more (JFR of a backlog drain had the polling thread
     * parked in them for over a fifth of the run). A transaction is committed only after the one before it:
     * the next commit point waits for it first, and a failure of either rewinds to the last commit. With
     * {@code waitForAll} the transaction commits on this thread, after the one in flight.
     */
    private void commitTransaction(boolean waitForAll) {
        if (commitFailed) {
            throw new KafkaException("an earlier transaction failed to commit: nothing after it commits before a rewind");
        }
        if (!transactionOpen) {
            if (waitForAll) {
                awaitCommitting();
            } else {
                collectCommitIfDone();
            }
            return;
        }
        writeCheckpoints();
        awaitCommitting();
        KafkaProducer<String, byte[]> closing = producer;
        Map<TopicPartition, OffsetAndMetadata> offsets = unit.offsets();
        ConsumerGroupMetadata group = consumer.groupMetadata();
        if (waitForAll) {
            commitOn(closing, offsets, group);
            transactionOpen = false;
            completed(unit);
            unit = new CommitUnit();
            return;
        }
        closing.flush();
        failIfAnySendFailed();
        committingUnit = unit;
        // A failure surfaces on the polling thread (awaitCommitting), whose rewind starts both producers afresh.
        committing = committer.submit(() -> {
            commitOn(closing, offsets, group);
            return null;
        });
        unit = new CommitUnit();
        transactionOpen = false;
        producer = spare;
        spare = closing;
    }

    private void commitOn(KafkaProducer<String, byte[]> transactional, Map<TopicPartition, OffsetAndMetadata> offsets,
                          ConsumerGroupMetadata group) {
        long start = System.nanoTime();
        transactional.sendOffsetsToTransaction(offsets, group);
        transactional.commitTransaction();
        metrics.commitDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** Exactly-once: collects the commit in flight if it has landed, without waiting. */
    private void collectCommitIfDone() {
        if (committing != null && committing.isDone()) {
            awaitCommitting();
        }
    }

    /** Exactly-once: collects the commit in flight, if any, waiting for it; its failure is thrown here, on the polling thread. */
    private void awaitCommitting() {
        if (committing == null) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    committing.get();
                    break;
                } catch (InterruptedException e) {
                    // Not given up on: a rewind must not read the committed offsets while this commit may still land.
                    interrupted = true;
                } catch (ExecutionException e) {
                    commitFailed = true;
                    throw e.getCause() instanceof KafkaException k ? k : new KafkaException("a transaction's commit failed", e.getCause());
                }
            }
            completed(committingUnit);
        } finally {
            committing = null;
            committingUnit = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void completed(CommitUnit done) {
        metrics.transactionsCommitted.increment();
        long now = System.currentTimeMillis();
        done.forEachTimestamp(timestamp -> metrics.endToEndLatency.record(Math.max(0, now - timestamp), TimeUnit.MILLISECONDS));
    }

    /** Commits what is pending before partitions move, loads install or the instance stops; a failure rewinds. */
    private void commitOrRewind(boolean waitForAll) {
        if (!hasPending() && committing == null) {
            return;
        }
        try {
            commit(waitForAll);
        } catch (FencedInstanceIdException e) {
            throw e;
        } catch (KafkaException e) {
            rewind(e);
        }
    }

    private void failIfAnySendFailed() {
        Exception failure = sendFailure.getAndSet(null);
        if (failure != null) {
            throw new KafkaException("an output record could not be written", failure);
        }
    }

    /** A batch could not be made durable: forget everything since the last commit and reload from it. */
    private void rewind(KafkaException e) {
        // A missing ACL is not transient: rewinding would repeat the batch forever.
        MissingPermissionException.rethrowIfUnauthorized(e, settings, org.apache.kafka.common.acl.AclOperation.WRITE);
        LOG.warn("processing since the last commit failed, rewinding to it: {}", withCauses(e));
        metrics.transactionsAborted.increment();
        if (exactlyOnce) {
            // Its outcome does not matter (everything since the last commit is re-read), only that it is settled.
            try {
                awaitCommitting();
            } catch (KafkaException committingFailure) {
                LOG.warn("the commit in flight failed too: {}", withCauses(committingFailure));
            }
            // No abortTransaction first: the fresh producers' initTransactions aborts the open transaction, and
            // an abort on a producer in an error state fails, or waits max.block.ms while the broker is away.
            restartProducers();
            commitFailed = false;
        }
        transactionOpen = false;
        if (!exactlyOnce) {
            try {
                // Let late acknowledgements land and earlier offset commits finish, so 'committed' below is current.
                producer.flush();
                consumer.commitSync(Map.of());
            } catch (KafkaException ignored) {
                LOG.debug("while rewinding", ignored);
            }
        }
        sealed.clear();
        unit = new CommitUnit();
        sendFailure.set(null);
        reloadAll();
    }

    /**
     * Exactly-once, when {@link #run()} ends on an error: the open transaction may hold the outputs of a batch cut
     * short, whose offsets it does not hold. {@link #close()} commits what is pending (the revocation), which would
     * make those outputs visible and read their records again after a restart, so the transaction is dropped here.
     * The coordinator aborts it: at once when this instance's ids start again, else after transaction.timeout.ms.
     */
    private void abandonOpenTransaction() {
        if (exactlyOnce && transactionOpen) {
            LOG.warn("{} stopped on an error: its open transaction is left to be aborted", settings.displayName());
            transactionOpen = false;
            unit = new CommitUnit();
        }
    }

    /**
     * Exactly-once: both producers start afresh with their transactional ids. After a failed commit a producer
     * may be in a state no abort leaves (see {@link TransactionalProducers}); the new ones settle whatever the
     * old ones had open before the rewind reads the committed offsets. Kafka being away is waited out here.
     *
     * <p>Even a {@code ProducerFencedException} leads here, not to a stop: the coordinator raises it after it
     * timed a transaction out (a broker away for longer than {@code transaction.timeout.ms}), with no other
     * instance in sight. A real zombie of this instance cannot commit anyway: its offsets go with the group
     * metadata (KIP-447), which the group fences; and of two members with one instance id the group keeps one,
     * the other stops on the error its poll or commit gets ({@code FencedInstanceIdException}, or
     * {@code UnreleasedInstanceIdException} for a newcomer).
     */
    private void restartProducers() {
        closeQuietly(() -> producer.close(Duration.ZERO));
        closeQuietly(() -> spare.close(Duration.ZERO));
        producer = TransactionalProducers.start(() -> newProducer(0), () -> running);
        spare = TransactionalProducers.start(() -> newProducer(1), () -> running);
        metrics.producerRestarts.increment();
        LOG.info("{} restarted its transactional producers", settings.displayName());
    }

    private KafkaProducer<String, byte[]> newProducer(int slot) {
        return new KafkaProducer<>(producerConfig(slot), new StringSerializer(), new ByteArraySerializer());
    }

    /** An exception and its causes, for a log line: the cause is often the part that says what went wrong. */
    private static String withCauses(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            text.append("; caused by ").append(cause);
        }
        return text.toString();
    }

    private void process(ConsumerRecord<String, byte[]> record) {
        long start = System.nanoTime();
        metrics.eventsIn.increment();
        RuleSet rules = this.rules;
        // Without rules nothing reads the body: it is checked but kept as bytes and copied through.
        Event event = null;
        RawEvent raw = null;
        try {
            if (rules.isEmpty()) {
                raw = codec.decodeRaw(record.value());
            } else {
                event = codec.decode(record.value());
            }
        } catch (MalformedEventException e) {
            deadLetter(record, e.reason().name(), e.field(), e.getMessage(), null);
            return;
        }
        String key = raw != null ? raw.key() : event.key();
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int owner = buckets.partitionOfKey(keyBytes, inputPartitions);
        if (owner != record.partition()) {
            deadLetter(record, DeadLetters.MISROUTED, EventCodec.FIELD_KEY, "key '" + key + "' belongs to partition "
                    + owner + " of " + record.topic() + ", found in partition " + record.partition()
                    + ": its producer does not use the bucket partitioner", null);
            return;
        }
        byte[] attributes = cache.get(record.partition(), keyBytes);
        if (attributes == null) {
            switch (settings.unknownProfile()) {
                case DLQ -> {
                    deadLetter(record, DeadLetters.UNKNOWN_PROFILE, EventCodec.FIELD_KEY, "no profile for key '" + key + "'", null);
                    return;
                }
                case LOOKUP -> attributes = lookUp(record.partition(), key);
                case PASS -> {
                }
            }
        }
        RecordHeaders headers = new RecordHeaders();
        if (attributes == null) {
            headers.add(PROFILE_HEADER, "missing".getBytes(StandardCharsets.UTF_8));
        }
        byte[] enriched;
        List<Alert> alerts = List.of();
        if (raw != null) {
            enriched = enrichment.enrich(codec, raw, attributes);
        } else {
            ObjectNode profile = attributes == null ? null : enrichment.read(attributes); // the rules read every attribute
            enriched = codec.encode(profile == null ? event : enrichment.enrich(event, profile));
            Map<String, Object> body = RuleSet.toJava(event.body());
            Map<String, Number> windowValues = windowsOf(record.partition()).addAndRead(key, event.eventTime().toEpochMilli(), body);
            Map<String, Object> facts = RuleSet.eventFacts(event.id(), key, event.eventTime().toEpochMilli(),
                    event.ingestTime().toEpochMilli(), body);
            alerts = rules.evaluate(facts, RuleSet.toJava(profile), windowValues, failure -> ruleFailed(record, failure));
        }
        send(new ProducerRecord<>(settings.topics().enriched(), null, key, enriched, headers));
        metrics.eventsOut.increment();
        for (Alert alert : alerts) {
            send(new ProducerRecord<>(settings.topics().alerts(), key, alertJson(alert)));
            metrics.alerts.increment();
            metrics.alertsOf(alert.rule()).increment();
        }
        metrics.processLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private void ruleFailed(ConsumerRecord<String, byte[]> record, RuleFailure failure) {
        metrics.ruleFailures.increment();
        deadLetter(record, DeadLetters.RULE_FAILED, null, "rule '" + failure.rule() + "': " + failure.reason(), failure.rule());
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason, String field, String message, String rule) {
        metrics.dlq(reason).increment();
        send(deadLetters.of(record, reason, field, message, rule));
    }

    private void send(ProducerRecord<String, byte[]> record) {
        CommitUnit sending = unit;
        sending.sent();
        producer.send(record, (metadata, exception) -> {
            if (exception != null) {
                sendFailure.compareAndSet(null, exception);
            }
            sending.acknowledged();
        });
    }

    private byte[] lookUp(int partition, String key) {
        try {
            Optional<Profile> profile = store.get(key);
            if (profile.isEmpty()) {
                return null;
            }
            byte[] attributes = enrichment.cacheForm(profile.get());
            cache.apply(partition, key, attributes);
            return attributes;
        } catch (IOException e) {
            LOG.warn("HBase lookup of {} failed, passing the event un-enriched: {}", key, e.toString());
            return null;
        }
    }

    private void writeCheckpoints() {
        for (WindowStore store : windows) {
            for (Map.Entry<String, byte[]> checkpoint : store.drainChanged().entrySet()) {
                int partition = buckets.partitionOfKey(checkpoint.getKey().getBytes(StandardCharsets.UTF_8), inputPartitions);
                send(new ProducerRecord<>(settings.topics().changelog(), partition, checkpoint.getKey(), checkpoint.getValue()));
            }
        }
    }

    private byte[] alertJson(Alert alert) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", alert.eventId() + ":" + alert.rule());
        root.put("rule", alert.rule());
        root.put("severity", alert.severity());
        root.put("eventId", alert.eventId());
        root.put("key", alert.key());
        root.put("eventTime", alert.eventTime().toString());
        root.set("values", JSON.valueToTree(alert.values()));
        root.put("instance", settings.displayName());
        root.put("detectedAt", Instant.now().toString());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- ownership: loading, installing and dropping partitions ----

    private final class Rebalances implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            rebalanceGeneration++;
            member = true;
            if (partitions.isEmpty()) {
                return;
            }
            metrics.rebalances.increment();
            consumer.pause(partitions);
            for (TopicPartition tp : partitions) {
                startLoad(tp.partition());
            }
            LOG.info("{} assigned {}: paused while their profiles load", settings.displayName(), partitionsOf(partitions));
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            rebalanceGeneration++;
            if (partitions.isEmpty()) {
                return;
            }
            metrics.rebalances.increment();
            // What was processed of them is committed before the next owner starts reading them.
            commitOrRewind(true);
            release(partitions, "revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            rebalanceGeneration++;
            if (partitions.isEmpty()) {
                return;
            }
            metrics.rebalances.increment();
            // Another member may already own them: nothing processed since the last commit may be committed.
            if (hasPending()) {
                rewind(new KafkaException("partitions " + partitionsOf(partitions) + " were lost"));
            }
            release(partitions, "lost");
        }

        private void release(Collection<TopicPartition> partitions, String how) {
            partitions.forEach(tp -> drop(tp.partition()));
            reassignUpdates(Map.of());
            LOG.info("{} {} {}", settings.displayName(), how, partitionsOf(partitions));
        }
    }

    private void startLoad(int partition) {
        Future<PartitionLoad.Result> previous = loading.remove(partition);
        if (previous != null) {
            previous.cancel(true);
        }
        loading.put(partition, loaders.submit(new PartitionLoad(partition, inputPartitions, buckets, store,
                settings.scanParallelism(), () -> new KafkaConsumer<>(plainConsumerConfig("restore-" + partition),
                new StringDeserializer(), new ByteArrayDeserializer()), updatePartitionsOf(partition),
                new TopicPartition(settings.topics().changelog(), partition), enrichment::cacheForm)));
    }

    private void drop(int partition) {
        Future<PartitionLoad.Result> load = loading.remove(partition);
        if (load != null) {
            load.cancel(true);
        }
        cache.drop(partition);
        windowsOf(partition).removeIf(key -> buckets.partitionOfKey(key.getBytes(StandardCharsets.UTF_8), inputPartitions) == partition);
    }

    /** Installs finished loads and resumes their partitions. */
    private void completeLoads() {
        if (loading.values().stream().noneMatch(Future::isDone)) {
            return;
        }
        // Installing restores window state: what is pending is committed first, so its checkpoints go out with it.
        commitOrRewind(false);
        List<TopicPartition> resumed = new ArrayList<>();
        Map<TopicPartition, Long> seeks = new HashMap<>();
        for (var it = loading.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Future<PartitionLoad.Result>> entry = it.next();
            if (!entry.getValue().isDone()) {
                continue;
            }
            it.remove();
            int partition = entry.getKey();
            PartitionLoad.Result result;
            try {
                result = entry.getValue().get();
            } catch (ExecutionException e) {
                // Retrying cannot grant it.
                MissingPermissionException.rethrowIfUnauthorized(e.getCause(), settings, org.apache.kafka.common.acl.AclOperation.READ);
                LOG.warn("loading partition {} failed, retrying: {}", partition, String.valueOf(e.getCause()));
                startLoad(partition);
                continue;
            } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                continue;
            }
            cache.install(partition, result.profiles());
            windowsOf(partition).removeIf(key -> buckets.partitionOfKey(key.getBytes(StandardCharsets.UTF_8), inputPartitions) == partition);
            result.windowCheckpoints().forEach(windowsOf(partition)::restore);
            windowsOf(partition).drainChanged(); // restored state is already in the changelog
            result.updateOffsets().forEach((tp, offset) -> seeks.merge(tp, offset, Math::min));
            resumed.add(new TopicPartition(settings.topics().input(), partition));
            metrics.partitionLoad.record(result.nanos(), TimeUnit.NANOSECONDS);
            LOG.info("{} loaded partition {}: {} profiles, {} window keys in {} ms", settings.displayName(), partition,
                    result.profiles().size(), result.windowCheckpoints().size(), result.nanos() / 1_000_000);
        }
        if (!resumed.isEmpty()) {
            reassignUpdates(seeks);
            Set<TopicPartition> assigned = consumer.assignment();
            consumer.resume(resumed.stream().filter(assigned::contains).toList());
            writeStatusFile();
        }
    }

    /** Follows exactly the update partitions that carry keys of active partitions; seeks where a load began. */
    private void reassignUpdates(Map<TopicPartition, Long> seeks) {
        Set<TopicPartition> wanted = new HashSet<>();
        cache.partitions().forEach(p -> wanted.addAll(updatePartitionsOf(p)));
        Set<TopicPartition> current = updates.assignment();
        if (!wanted.equals(current)) {
            updates.assign(wanted);
            for (TopicPartition tp : wanted) {
                if (!current.contains(tp) && !seeks.containsKey(tp)) {
                    updates.seekToEnd(List.of(tp));
                }
            }
        }
        seeks.forEach((tp, offset) -> {
            if (wanted.contains(tp)) {
                // Going back re-applies some updates of other keys: harmless, updates are whole profiles.
                updates.seek(tp, current.contains(tp) ? Math.min(offset, updates.position(tp)) : offset);
            }
        });
    }

    private Set<TopicPartition> updatePartitionsOf(int partition) {
        Set<TopicPartition> out = new HashSet<>();
        if (updatePartitions == inputPartitions) {
            out.add(new TopicPartition(settings.topics().updates(), partition));
        } else {
            buckets.bucketsOfPartition(partition, inputPartitions)
                    .forEach(b -> out.add(new TopicPartition(settings.topics().updates(), buckets.partitionOf(b, updatePartitions))));
        }
        return out;
    }

    private void applyUpdates() {
        if (updates.assignment().isEmpty()) {
            return;
        }
        for (ConsumerRecord<String, byte[]> record : updates.poll(Duration.ZERO)) {
            if (record.key() == null) {
                continue;
            }
            int partition = buckets.partitionOfKey(record.key().getBytes(StandardCharsets.UTF_8), inputPartitions);
            if (!cache.owns(partition)) {
                continue;
            }
            try {
                byte[] attributes = record.value() == null ? null
                        : ProfileUpdates.decode(record.key(), record.value(), schema).map(enrichment::cacheForm).orElse(null);
                cache.apply(partition, record.key(), attributes);
                metrics.updatesApplied.increment();
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring unreadable profile update at {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
    }

    /** After a failed batch: forget every partition's state and reload it from the last commit. */
    private void reloadAll() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        consumer.pause(assigned);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(30));
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset);
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
            drop(tp.partition());
            startLoad(tp.partition());
        }
        reassignUpdates(Map.of());
    }

    // ---- rules ----

    private void maybeReloadRules() {
        if (settings.rulesFile().isEmpty() || System.currentTimeMillis() < nextRulesCheck) {
            return;
        }
        nextRulesCheck = System.currentTimeMillis() + settings.rulesReloadInterval().toMillis();
        long modified = lastModified(settings.rulesFile());
        if (modified == rulesModified) {
            return;
        }
        rulesModified = modified;
        try {
            RuleSet reloaded = RuleSet.load(settings.rulesFile().get());
            if (!reloaded.windows().equals(rules.windows())) {
                for (WindowStore store : windows) {
                    store.respec(reloaded.windows());
                }
            }
            rules = reloaded;
            metrics.rulesReloads.increment();
            LOG.info("reloaded rules from {}: {}", reloaded.source(), reloaded.ruleNames());
        } catch (RulesException e) {
            metrics.rulesReloadFailures.increment();
            LOG.error("rules file rejected, the previous rules stay in force: {}", e.getMessage());
        }
    }

    private static RuleSet loadRulesOrFail(Path file) {
        try {
            return RuleSet.load(file);
        } catch (RulesException e) {
            throw new IllegalArgumentException("setting 'rules.file': " + e.getMessage(), e);
        }
    }

    private static long lastModified(Optional<Path> file) {
        try {
            return file.isPresent() ? Files.getLastModifiedTime(file.get()).toMillis() ^ Files.size(file.get()) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    // ---- encoding, status, configuration ----

    private String statusJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("instance", settings.displayName());
        root.put("group", settings.groupId());
        root.put("guarantee", settings.guarantee().name().toLowerCase(java.util.Locale.ROOT));
        root.put("pid", ProcessHandle.current().pid());
        root.put("metricsPort", metrics == null ? -1 : metrics.port());
        root.put("running", !stopped);
        ObjectNode partitions = root.putObject("partitions");
        new TreeMap<>(cache.sizes()).forEach((p, n) -> partitions.putObject(Integer.toString(p)).put("profiles", n));
        root.put("cacheEntries", cache.entries());
        root.put("cacheBytes", cache.bytes());
        root.put("windowKeys", java.util.Arrays.stream(windows).mapToInt(WindowStore::size).sum());
        root.putPOJO("rules", rules.ruleNames());
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeStatusFile() {
        if (settings.statusFile().isEmpty()) {
            return;
        }
        Path file = settings.statusFile().get();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, statusJson());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot write the status file {}: {}", file, e.toString());
        }
    }

    private Map<String, Object> common() {
        // Kernel-tuned socket buffers (SocketBuffers says why); kafka.* settings override them.
        Map<String, Object> config = SocketBuffers.autoTuned(settings.kafkaCommon());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        return config;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = common();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        settings.instanceId().ifPresent(id -> config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-" + settings.displayName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Kafka 4's rebalance protocol (KIP-848): incremental by design, brokers assign.
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        // Each poll ends in a barrier across the processing threads and the commit check: more records per
        // poll spread that over more events (enrichment benchmark, at-least-once: 16.0k events/s against 13.0k at 500).
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        config.putAll(settings.kafkaConsumer());
        if ("classic".equalsIgnoreCase(String.valueOf(config.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG)))) {
            config.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        }
        return config;
    }

    private Map<String, Object> plainConsumerConfig(String purpose) {
        Map<String, Object> config = common();
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-" + settings.displayName() + "-" + purpose);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    /** @param slot 0 for the first producer, 1 for exactly-once's second (its ids get a {@code #1} suffix) */
    private Map<String, Object> producerConfig(int slot) {
        String suffix = slot == 0 ? "" : "#" + slot;
        Map<String, Object> config = common();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-" + settings.displayName() + "-out" + suffix);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Kafka 4's default: at 1 ms most batches held one record per partition, and per-batch work (compression
        // buffers, requests) made a quarter of the per-event CPU; the 4 ms more are less than the queueing they save.
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Kafka's 16 KB batches hold about 30 enriched events: under load a batch filled long before the linger ended,
        // and the broker handled a request per few dozen events. Larger batches cost nothing at low rates (the linger
        // sends them first) and fewer, larger requests cut the CPU per event (BENCHMARKS.md, producer batch size).
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, OUTPUT_BATCH_BYTES);
        // No compression (Kafka's default): batches of a few small events per partition compress little, and each
        // lz4 batch cost 128 KB of fresh buffers (a quarter of the consumer's allocation, by JFR) plus the broker's
        // decompression to validate it. Where the network is the bottleneck, set kafka.producer.compression.type.
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, settings.maxEventBytes() * 2 + 65536));
        config.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, BucketPartitioner.class.getName());
        config.put(BucketPartitioner.BUCKETS_CONFIG, buckets.bucketCount());
        if (exactlyOnce) {
            // Stable ids per instance fence a zombie of the same instance; KIP-447 makes them independent of partitions.
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ConsumerAcls.transactionalIdPrefix(settings)
                    + settings.instanceId().orElse(dynamicId) + suffix);
            // An instance killed mid-batch holds back read_committed readers until its transaction times out
            // (or it restarts with the same id): keep that short.
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        }
        config.putAll(settings.kafkaProducer());
        return config;
    }

    private static int partitionCount(Admin admin, String topic) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        // A topic another instance has just created can take a moment to show in metadata.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                return description.partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw new ExecutionException(naming(e.getCause(), topic));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " does not exist: create it first ('sluice topics init')");
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Creates the topic unless it exists: looked up first, so a consumer without CREATE rights runs on existing topics.
     * A new one gets the broker's default replication factor (a cluster's, not the local stack's 1).
     */
    private static void ensureTopic(Admin admin, String topic, int partitions, Map<String, String> configs)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
            return;
        }
        NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs);
        try {
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new ExecutionException(naming(e.getCause(), topic));
            }
        }
    }

    /**
     * The admin client's topic authorization failures do not say which topic: each call here is
     * about one, so name it (the missing ACL is then reported for that topic).
     */
    private static Throwable naming(Throwable failure, String topic) {
        if (failure instanceof org.apache.kafka.common.errors.TopicAuthorizationException denied && denied.unauthorizedTopics().isEmpty()) {
            return new org.apache.kafka.common.errors.TopicAuthorizationException(denied.getMessage(), Set.of(topic));
        }
        return failure;
    }

    private static List<Integer> partitionsOf(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).sorted().toList();
    }

    @Override
    public void close() {
        stop();
        loaders.shutdownNow();
        if (workers != null) {
            workers.shutdownNow();
        }
        closeQuietly(consumerMetrics);
        closeQuietly(() -> consumer.close(Duration.ofSeconds(10)));
        closeQuietly(updates::close);
        if (committer != null) {
            committer.shutdownNow();
        }
        closeQuietly(() -> producer.close(Duration.ofSeconds(10)));
        if (spare != null) {
            closeQuietly(() -> spare.close(Duration.ofSeconds(10)));
        }
        closeQuietly(metrics);
        closeQuietly(hbase);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }
}
