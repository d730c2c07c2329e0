package dev.sluice.cli;

import dev.sluice.stack.StackException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} command. Exit codes: 0 success, 1 the operation failed (the message says
 * why), 2 the command line was wrong, 3 there is no stack to act on, 4 a load finished but
 * rejected some rows.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = SluiceCli.Version.class,
        description = "Sluice: Kafka-centric ingestion and enrichment for Flume, Kafka, HBase, Solr and HDFS.",
        subcommands = {StackCommand.class, TopicsCommand.class, ProfilesCommand.class, SolrCommand.class, FlumeCommand.class, ParcelCommand.class, ReplayCommand.class, ConsumerCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class SluiceCli {

    public static final int EXIT_FAILED = 1;
    public static final int EXIT_NO_STACK = 3;
    public static final int EXIT_ROWS_REJECTED = 4;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command line with Sluice's error handling: a {@link StackException} is one line on stderr. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new SluiceCli());
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof StackException || e instanceof dev.sluice.profiles.schema.SchemaException
                    || e instanceof IllegalStateException || e instanceof IllegalArgumentException
                    || e instanceof dev.sluice.replay.OffsetReset.ReplayException
                    || e instanceof org.apache.solr.client.solrj.SolrServerException || e instanceof org.apache.solr.common.SolrException) {
                cmd.getErr().println("sluice: " + e.getMessage());
                return EXIT_FAILED;
            }
            if (e instanceof java.io.IOException) {
                cmd.getErr().println("sluice: " + e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
                return EXIT_FAILED;
            }
            throw e;
        });
        return commandLine;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SluiceCli.class.getPackage().getImplementationVersion();
            return new String[] {"sluice " + (version == null ? "development build" : version)};
        }
    }
}
