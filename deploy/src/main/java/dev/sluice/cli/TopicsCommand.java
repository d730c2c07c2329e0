package dev.sluice.cli;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.common.kafka.PipelineTopics;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code sluice topics init}: the Kafka topics a pipeline needs before its first agent or consumer starts. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the pipeline's Kafka topics: the input (events.raw) and the dead letters (events.dlq).",
        subcommands = {TopicsCommand.Init.class})
final class TopicsCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the input and dead-letter topics if they do not exist. Idempotent: an existing topic is",
                    "kept with its partitions; a dead-letter topic that takes smaller records than the tier-1 sources accept",
                    "(max.message.bytes < " + PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES + ") has its limit raised.",
                    "The consumers create their output topics; 'sluice profiles init' creates profiles.updates."})
    static final class Init implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Spec
        CommandSpec spec;

        @Option(names = "--partitions", defaultValue = "" + PipelineTopics.DEFAULT_PARTITIONS,
                description = "Partitions of a new topic (default: ${DEFAULT-VALUE}); the consumers' instances share them.")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "N",
                description = "Replication factor of a new topic (default: the broker's default.replication.factor).")
        Short replicationFactor;

        @Option(names = "--input", defaultValue = PipelineTopics.INPUT, description = "Input topic (default: ${DEFAULT-VALUE}).")
        String input;

        @Option(names = "--dead-letters", defaultValue = PipelineTopics.DEAD_LETTERS,
                description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
        String deadLetters;

        @Override
        public Integer call() throws IOException {
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, not " + partitions);
            }
            if (replicationFactor != null && replicationFactor < 1) {
                throw new IllegalArgumentException("--replication-factor must be at least 1, not " + replicationFactor);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Admin.create(endpoints.kafkaClient(Map.of()))) {
                for (PipelineTopics.Result result : PipelineTopics.ensure(admin, input, deadLetters, partitions,
                        Optional.ofNullable(replicationFactor))) {
                    out.printf(Locale.ROOT, "topic %s: %s (%d partition%s)%n", result.topic(), switch (result.outcome()) {
                        case CREATED -> "created";
                        case EXISTS -> "exists";
                        case LIMIT_RAISED -> "exists, max.message.bytes raised to " + PipelineTopics.DEAD_LETTER_MAX_MESSAGE_BYTES;
                    }, result.partitions(), result.partitions() == 1 ? "" : "s");
                    if (result.topic().equals(input) && Buckets.DEFAULT_BUCKET_COUNT % result.partitions() != 0) {
                        out.printf(Locale.ROOT, "note: %d partitions do not divide the %d buckets: a key's partition differs"
                                + " from the one Kafka's default partitioner picks (keep every producer on BucketPartitioner)%n",
                                result.partitions(), Buckets.DEFAULT_BUCKET_COUNT);
                    }
                }
            }
            out.flush();
            return 0;
        }
    }
}
