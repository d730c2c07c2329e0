package dev.sluice.it;

import dev.sluice.common.bucket.Buckets;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileCodec;
import dev.sluice.profiles.ProfileTables;
import dev.sluice.profiles.schema.ProfileSchema;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.io.compress.Compression;


import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The card transactions of one end-to-end run, and the alerts and rule failures an independent
 * oracle expects from them. The oracle is plain Java over the same inputs and the same profiles;
 * it shares no code with the consumer or its JEXL rules ({@link #RULES}), so a wrong evaluation on
 * either side shows up as a difference.
 *
 * <p>Profiles: {@code card-<i>} for i in [0, {@link #PROFILES}) with credit limit 500 × (1 + i mod 4),
 * VIP when i mod 10 = 0, home country DE for even i and FR for odd. Transactions on {@code ghost-<j>}
 * cards have no profile.
 */
final class Transactions {

    static final int PROFILES = 2000;

    static final String RULES = """
            rules:
              - name: over_limit
                severity: high
                expression: event.body.amount > profile.credit_limit
              - name: vip_abroad
                severity: medium
                expression: profile.vip && event.body.country != profile.home_country
              - name: odd_merchant
                severity: low
                expression: event.body.merchant =~ '(.*a){25}x'
            """;

    /** A merchant name on which the odd_merchant regex backtracks beyond its budget. */
    static final String HOSTILE_MERCHANT = "a".repeat(64);

    /** One transaction as the client sends it; {@code txn_id} becomes the event id (identify's idField). */
    record Transaction(String id, String card, Object amount, String country, String merchant, Instant time) {

        String json() {
            String amountJson = amount instanceof String s ? "\"" + s + "\"" : String.format(Locale.ROOT, "%.2f", (Double) amount);
            return String.format(Locale.ROOT, "{\"txn_id\":\"%s\",\"card_id\":\"%s\",\"amount\":%s,\"country\":\"%s\",\"merchant\":\"%s\",\"ts\":\"%s\"}",
                    id, card, amountJson, country, merchant, time);
        }
    }

    private Transactions() {
    }

    static double creditLimit(int card) {
        return 500.0 * (1 + card % 4);
    }

    static boolean vip(int card) {
        return card % 10 == 0;
    }

    static String homeCountry(int card) {
        return card % 2 == 0 ? "DE" : "FR";
    }

    /** The shipped card schema's profiles and events tables (4 regions each), with the {@link #PROFILES} card holders loaded. */
    static void createTablesWithProfiles(Connection hbase) throws IOException {
        ProfileSchema schema = ProfileSchema.load(
                FlumeAgent.confDir().resolve("profiles/cards.yaml"));
        TableName profiles = TableName.valueOf(ProfileTables.DEFAULT_PROFILES_TABLE);
        Buckets buckets = Buckets.defaults();
        try (Admin admin = hbase.getAdmin()) {
            ProfileTables.initProfiles(admin, profiles, schema, buckets, 4,
                    Compression.Algorithm.NONE);
            ProfileTables.initEvents(admin, TableName.valueOf(
                    ProfileTables.DEFAULT_EVENTS_TABLE), buckets, 4, Compression.Algorithm.NONE);
        }
        ProfileCodec codec = new ProfileCodec(schema, buckets);
        try (Table table = hbase.getTable(profiles)) {
            List<Put> puts = new ArrayList<>();
            for (int i = 0; i < PROFILES; i++) {
                puts.add(codec.toPut(new Profile("card-" + i, profileAttributes(i))));
            }
            table.put(puts);
        }
    }

    static Map<String, Object> profileAttributes(int card) {
        return Map.of("holder_name", "Holder " + card, "segment", card % 3 == 0 ? "gold" : "basic",
                "home_country", homeCountry(card), "credit_limit", creditLimit(card), "vip", vip(card));
    }

    /**
     * {@code count} transactions of a run, ids {@code <run>-<n>}: 5% on cards without a profile, 10%
     * above most limits, 20% abroad, 0.5% with an amount that is not a number, 0.2% at the hostile merchant.
     */
    static List<Transaction> generate(String run, int count, Instant baseTime) {
        SplittableRandom random = new SplittableRandom(run.hashCode());
        List<Transaction> transactions = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            boolean ghost = random.nextInt(100) < 5;
            int card = random.nextInt(PROFILES);
            String cardId = ghost ? "ghost-" + random.nextInt(100) : "card-" + card;
            int roll = random.nextInt(1000);
            Object amount = roll < 5 ? "lots" : roll < 100 ? 500.0 + random.nextInt(2500) : 1.0 + random.nextInt(40_000) / 100.0;
            String country = random.nextInt(5) == 0 ? "US" : homeCountry(card);
            String merchant = random.nextInt(500) == 0 ? HOSTILE_MERCHANT : "m-" + random.nextInt(50);
            transactions.add(new Transaction(run + "-" + n, cardId, amount, country, merchant, baseTime.plusMillis(n)));
        }
        return transactions;
    }

    /** What the rules must produce for a set of transactions: alert ids ({@code <event id>:<rule>}) and failed rules. */
    record Expected(Set<String> alertIds, Set<String> ruleFailures) {
    }

    static Expected oracle(List<Transaction> transactions) {
        Set<String> alerts = new HashSet<>();
        Set<String> failures = new HashSet<>();
        for (Transaction t : transactions) {
            if (t.card().startsWith("card-")) {
                int card = Integer.parseInt(t.card().substring("card-".length()));
                if (t.amount() instanceof Double amount) {
                    if (amount > creditLimit(card)) {
                        alerts.add(t.id() + ":over_limit");
                    }
                } else {
                    failures.add(t.id() + ":over_limit");
                }
                if (vip(card) && !t.country().equals(homeCountry(card))) {
                    alerts.add(t.id() + ":vip_abroad");
                }
            }
            // A rule that reads no profile runs for every event; the hostile merchant exhausts the regex budget.
            if (t.merchant().equals(HOSTILE_MERCHANT)) {
                failures.add(t.id() + ":odd_merchant");
            }
        }
        return new Expected(alerts, failures);
    }
}
