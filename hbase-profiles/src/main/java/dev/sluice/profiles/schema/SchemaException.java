package dev.sluice.profiles.schema;

import java.util.List;

/** A profile schema file is invalid. Carries every problem found, each naming its attribute. */
public final class SchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SchemaException(String source, List<String> problems) {
        super("invalid profile schema " + source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
