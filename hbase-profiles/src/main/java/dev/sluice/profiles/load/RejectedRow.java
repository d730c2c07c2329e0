package dev.sluice.profiles.load;

/**
 * A line the loader did not write, and why. Nothing of a rejected line is written.
 *
 * @param line 1-based line number in the input file
 * @param reason what is wrong, naming the field
 * @param content the line as read (cut at 500 characters)
 */
public record RejectedRow(long line, String reason, String content) {
}
