package dev.sluice.cli;

import dev.sluice.solr.SolrClients;
import dev.sluice.solr.SolrCollections;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.SolrQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code sluice solr init|count}: Sluice's collections in SolrCloud. */
@Command(name = "solr", mixinStandardHelpOptions = true,
        description = "Set up and inspect Sluice's Solr collections (enriched events, alerts).",
        subcommands = {SolrCommand.Init.class, SolrCommand.Count.class})
final class SolrCommand {

    private static final int REQUEST_TIMEOUT_MS = 60_000;

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Upload the Sluice configset and create the collections on it. Idempotent: the configset is",
                    "replaced by the shipped one and existing collections are reloaded, never dropped."})
    static final class Init implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Spec
        CommandSpec spec;

        @Option(names = "--collections", split = ",", defaultValue = "events,alerts", description = "Collections to create (default: ${DEFAULT-VALUE}).")
        List<String> collections;

        @Option(names = "--shards", defaultValue = "1", description = "Shards per new collection (default: ${DEFAULT-VALUE}).")
        int shards;

        @Option(names = "--replicas", defaultValue = "1", description = "Replicas per shard of a new collection (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Override
        public Integer call() throws IOException, SolrServerException {
            if (shards < 1 || replicas < 1) {
                throw new IllegalArgumentException("--shards and --replicas must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (CloudSolrClient client = SolrClients.cloud(endpoints.solrUrls(), REQUEST_TIMEOUT_MS, endpoints.solrSecurity())) {
                for (SolrCollections.Result result : SolrCollections.init(client, collections, shards, replicas)) {
                    out.printf(Locale.ROOT, "collection %s: %s (configset %s)%n", result.collection(),
                            result.outcome().name().toLowerCase(Locale.ROOT), SolrCollections.CONFIGSET);
                }
            }
            return 0;
        }
    }

    @Command(name = "count", mixinStandardHelpOptions = true, description = "Documents in a collection, optionally matching a query.")
    static final class Count implements Callable<Integer> {
        @Mixin
        Endpoints endpoints;
        @Spec
        CommandSpec spec;

        @Option(names = "--collection", defaultValue = SolrCollections.EVENTS, description = "Collection (default: ${DEFAULT-VALUE}).")
        String collection;

        @Option(names = {"-q", "--query"}, defaultValue = "*:*", description = "Solr query (default: ${DEFAULT-VALUE}).")
        String query;

        @Override
        public Integer call() throws IOException, SolrServerException {
            try (CloudSolrClient client = SolrClients.cloud(endpoints.solrUrls(), REQUEST_TIMEOUT_MS, endpoints.solrSecurity())) {
                long found = client.query(collection, new SolrQuery(query).setRows(0)).getResults().getNumFound();
                spec.commandLine().getOut().println(found);
            }
            return 0;
        }
    }
}
