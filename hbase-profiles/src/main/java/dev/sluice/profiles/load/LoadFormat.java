package dev.sluice.profiles.load;

import java.nio.file.Path;
import java.util.Locale;

/** Input formats of the bulk loader. */
public enum LoadFormat {
    /** Comma-separated, first line a header naming the key field and attribute columns; one record per line. */
    CSV,
    /** One JSON object per line: the key field and attribute fields. */
    JSONL;

    /** From the file name: {@code .csv}, or {@code .jsonl}/{@code .ndjson}/{@code .json}. */
    public static LoadFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return JSONL;
        }
        throw new IllegalArgumentException("cannot tell the format of " + file.getFileName()
                + " from its name (.csv, .jsonl or .ndjson): name it with --format csv|jsonl");
    }
}
