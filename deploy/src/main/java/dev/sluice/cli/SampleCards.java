package dev.sluice.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generated card-holder profiles in the shape of {@code conf/profiles/cards.yaml}, the same for a
 * given count every time (fixed seed): the demo loads them, the benchmarks measure with them (the
 * same rows, seed and draw order as the profile-store benchmark's original generator, so its
 * published numbers stay reproducible).
 */
public final class SampleCards {

    public static final String CSV_HEADER =
            "card_id,holder_name,segment,home_country,credit_limit,avg_amount_30d,txn_count_30d,card_since,vip";

    private SampleCards() {
    }

    /** The CSV of {@code count} profiles in {@code dir}, written once and reused. */
    public static Path csv(Path dir, int count) throws IOException {
        Path csv = dir.resolve("cards-" + count + ".csv");
        if (Files.exists(csv)) {
            return csv;
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(csv.getFileName() + ".partial");
        SplittableRandom random = new SplittableRandom(7);
        String[] segments = {"retail", "gold", "platinum", "business"};
        String[] countries = {"DE", "FR", "GB", "US", "ES", "IT", "NL", "PL"};
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            out.write(CSV_HEADER + "\n");
            for (int i = 0; i < count; i++) {
                out.write(String.format(Locale.ROOT, "card-%d,Holder %d,%s,%s,%d,%.2f,%d,%d,%b%n", i, i,
                        segments[random.nextInt(segments.length)], countries[random.nextInt(countries.length)],
                        500 + random.nextInt(20_000), random.nextDouble() * 300, random.nextInt(200),
                        1_500_000_000_000L + random.nextLong(200_000_000_000L), random.nextInt(50) == 0));
            }
        }
        return Files.move(partial, csv, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
