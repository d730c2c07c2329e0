package dev.sluice.flumeconf;

/**
 * One problem in a Flume configuration.
 *
 * @param line the 1-based line it is on (0 when it is about something missing from the file)
 */
public record Finding(Severity severity, int line, String message) {

    public enum Severity { ERROR, WARNING }

    public String format(String file) {
        return file + ":" + line + ": " + severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + message;
    }
}
