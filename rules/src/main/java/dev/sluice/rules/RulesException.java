package dev.sluice.rules;

import java.util.List;

/** A rules file that cannot be used; the message names the file, each bad rule or window, and where. */
public final class RulesException extends Exception {

    private final List<String> problems;

    public RulesException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
