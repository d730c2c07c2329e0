package dev.sluice.cli;

import dev.sluice.common.event.EventCodec;
import dev.sluice.common.event.MalformedEventException;
import dev.sluice.replay.OffsetReset;
import dev.sluice.replay.TopicCopy;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code sluice replay reset|copy|redrive}: re-process a topic after a fix. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay Kafka topics: move a consumer group back (or forward), copy a time range into another topic, re-drive dead letters.",
        subcommands = {ReplayCommand.Reset.class, ReplayCommand.Copy.class, ReplayCommand.Redrive.class})
final class ReplayCommand {

    static final class TargetOptions {
        @Option(names = "--to-datetime", paramLabel = "ISO-8601", description = "First record at or after this time, e.g. 2026-11-21T10:00:00Z.")
        String datetime;
        @Option(names = "--by-duration", paramLabel = "DURATION", description = "That long ago, e.g. PT30M, PT2H, P1D.")
        Duration duration;
        @Option(names = "--to-earliest", description = "The start of the log.")
        boolean earliest;
        @Option(names = "--to-latest", description = "The end of the log (skip everything not yet processed).")
        boolean latest;
        @Option(names = "--to-offset", paramLabel = "PARTITION=OFFSET", split = ",", description = "Explicit offsets, e.g. 0=120,3=77.")
        Map<Integer, Long> offsets;

        OffsetReset.Target target(Clock clock) {
            if (datetime != null) {
                return new OffsetReset.ToTime(instant(datetime, "--to-datetime"));
            }
            if (duration != null) {
                if (duration.isNegative() || duration.isZero()) {
                    throw new IllegalArgumentException("--by-duration must be positive, was " + duration);
                }
                return new OffsetReset.ToTime(clock.instant().minus(duration));
            }
            if (earliest) {
                return new OffsetReset.ToEarliest();
            }
            if (latest) {
                return new OffsetReset.ToLatest();
            }
            return new OffsetReset.ToOffsets(offsets);
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Move a consumer group's committed offsets on a topic, as kafka-consumer-groups --reset-offsets does.",
                    "--dry-run prints, per partition, current -> target and the records that will be processed; nothing changes.",
                    "Refused while the group has active members, unless --wait-for-members gives them time to leave."})
    static final class Reset implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Spec
        CommandSpec spec;

        @Option(names = "--group", required = true, description = "Consumer group, e.g. sluice-tier2-solr-events.")
        String group;
        @Option(names = "--topic", required = true, description = "Topic, e.g. events.enriched.")
        String topic;
        @ArgGroup(exclusive = true, multiplicity = "1")
        TargetOptions target;
        @Option(names = "--dry-run", description = "Print the plan, change nothing.")
        boolean dryRun;
        @Option(names = "--wait-for-members", paramLabel = "SECONDS", defaultValue = "0",
                description = "Wait up to this long for the group's members to leave before refusing (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = admin(endpoints)) {
                List<OffsetReset.PartitionPlan> plan = OffsetReset.plan(admin, group, topic, target.target(Clock.systemUTC()), Clock.systemUTC());
                out.printf(Locale.ROOT, "%-9s %12s    %12s %12s %12s%n", "PARTITION", "CURRENT", "TARGET", "LOG-END", "TO-PROCESS");
                long total = 0;
                for (OffsetReset.PartitionPlan p : plan) {
                    out.printf(Locale.ROOT, "%-9d %12s -> %12d %12d %12d%n", p.partition(), p.current() == null ? "-" : p.current().toString(),
                            p.target(), p.end(), p.toProcess());
                    total += p.toProcess();
                }
                out.printf(Locale.ROOT, "%s: group %s on %s: %,d record(s) to process%n", dryRun ? "dry run" : "reset", group, topic, total);
                if (dryRun) {
                    return 0;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
                while (OffsetReset.members(admin, group) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                }
                OffsetReset.apply(admin, group, topic, plan);
                out.println("offsets committed for group " + group);
                return 0;
            }
        }
    }

    static final class Range {
        @Option(names = "--from-time", paramLabel = "ISO-8601", description = "First record time to copy (default: the start of the log).")
        String from;
        @Option(names = "--to-time", paramLabel = "ISO-8601", description = "Copy records before this time (default: the log end when the copy starts).")
        String to;

        Instant fromInstant() {
            return from == null ? null : instant(from, "--from-time");
        }

        Instant toInstant() {
            return to == null ? null : instant(to, "--to-time");
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true,
            description = {"Copy a time range of a topic (optionally only some keys) into another topic: a shadow or re-drive topic.",
                    "Keys, values, headers and timestamps are kept; the range is fixed at start, so the count is exact."})
    static final class Copy implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Spec
        CommandSpec spec;
        @Option(names = "--from", required = true, description = "Source topic.")
        String fromTopic;
        @Option(names = "--to", required = true, description = "Target topic (must exist).")
        String toTopic;
        @ArgGroup(exclusive = false)
        Range range = new Range();
        @Option(names = "--key", paramLabel = "KEY", description = "Copy only records with this key (repeatable).")
        List<String> keys;
        @Option(names = "--dry-run", description = "Count what would be copied, write nothing.")
        boolean dryRun;
        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Override
        public Integer call() throws Exception {
            java.util.Set<String> wanted = keys == null ? null : java.util.Set.copyOf(keys);
            TopicCopy.Filter filter = record -> wanted == null || record.key() != null
                    && wanted.contains(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)) ? null : "other key";
            return ReplayCommand.copy(spec, endpoints, fromTopic, toTopic, range.fromInstant(), range.toInstant(), filter,
                    header -> false, dryRun, noProgress);
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = {"Send dead letters back into the pipeline after a fix: the records of the dead-letter topic that are Sluice",
                    "events (dead-lettered by the consumer or a sink) go back to events.raw without their sluice.error.* headers.",
                    "Raw requests refused at ingest are not events: they are counted and must be re-sent through tier 1."})
    static final class Redrive implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Spec
        CommandSpec spec;
        @Option(names = "--from", defaultValue = "events.dlq", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
        String fromTopic;
        @Option(names = "--to", defaultValue = "events.raw", description = "Where events go back in (default: ${DEFAULT-VALUE}).")
        String toTopic;
        @ArgGroup(exclusive = false)
        Range range = new Range();
        @Option(names = "--reason", paramLabel = "REASON", description = "Only dead letters with this sluice.error.reason (repeatable), e.g. UNKNOWN_PROFILE.")
        List<String> reasons;
        @Option(names = "--dry-run", description = "Count what would be re-driven, write nothing.")
        boolean dryRun;
        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Override
        public Integer call() throws Exception {
            EventCodec codec = new EventCodec();
            TopicCopy.Filter filter = record -> {
                var reason = record.headers().lastHeader("sluice.error.reason");
                String value = reason == null ? "none" : new String(reason.value(), java.nio.charset.StandardCharsets.UTF_8);
                if (reasons != null && !reasons.contains(value)) {
                    return "reason " + value + " not asked for";
                }
                try {
                    codec.decode(record.value());
                    return null;
                } catch (MalformedEventException e) {
                    return "not an event (" + value + "): re-send through tier 1";
                }
            };
            return ReplayCommand.copy(spec, endpoints, fromTopic, toTopic, range.fromInstant(), range.toInstant(), filter,
                    header -> header.startsWith("sluice.error."), dryRun, noProgress);
        }
    }

    private static int copy(CommandSpec spec, Endpoints endpoints, String from, String to, Instant fromTime, Instant toTime,
                            TopicCopy.Filter filter, java.util.function.Predicate<String> dropHeaders, boolean dryRun, boolean noProgress)
            throws Exception {
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw new IllegalArgumentException("--from-time must be before --to-time");
        }
        if (fromTime != null && fromTime.isAfter(Instant.now())) {
            throw new IllegalArgumentException("--from-time " + fromTime + " is in the future");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = admin(endpoints)) {
            long inRange = TopicCopy.countInRange(admin, from, fromTime, toTime);
            TopicCopy.Result result;
            try (ProgressBar bar = noProgress || inRange == 0 ? null : new ProgressBarBuilder().setTaskName(dryRun ? "Scanning" : "Copying")
                    .setInitialMax(inRange).setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(250).build()) {
                result = TopicCopy.copy(endpoints.kafkaClient(Map.of()), admin, from, to, fromTime, toTime, filter, dropHeaders,
                        scanned -> {
                            if (bar != null) {
                                bar.stepTo(scanned);
                            }
                        }, dryRun);
            }
            Map<String, Long> skipped = new LinkedHashMap<>(result.skipped());
            out.printf(Locale.ROOT, "%s %,d of %,d record(s) from %s to %s%s%n", dryRun ? "Would copy" : "Copied", result.copied(),
                    result.scanned(), from, to, skipped.isEmpty() ? "" : "; skipped " + skipped);
            return 0;
        }
    }

    private static Admin admin(Endpoints endpoints) {
        return Admin.create(endpoints.kafkaClient(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)));
    }

    private static Instant instant(String text, String option) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                // Kafka's tool takes local date-times without a zone; Sluice reads them as UTC.
                return java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(option + ": '" + text + "' is not an ISO-8601 time such as 2026-11-21T10:00:00Z");
            }
        }
    }
}
