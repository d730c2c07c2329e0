package dev.sluice.rules;

import org.apache.commons.jexl3.JexlArithmetic;

import java.math.MathContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * JEXL arithmetic whose regex match ({@code =~}) gives up after a budget of work.
 *
 * <p>Loops, lambdas, method calls and literals are switched off in the rule dialect, so evaluation
 * is linear in the expression, except for one operator: a regular expression can backtrack
 * exponentially on a hostile input. The subject is wrapped in a {@link CharSequence} that counts
 * every character the matcher reads, the only hook {@link java.util.regex.Matcher} offers.
 *
 * <p>The budget counts reads, not time: a wall-clock deadline also fired on benign matches when a
 * GC pause or a busy machine stalled the thread, so the same event could pass or fail a rule
 * depending on the moment, and a replay (exactly-once rewind, topic replay) could disagree with the
 * first run. Counting makes a rule's outcome a function of the event alone.
 */
final class GuardedArithmetic extends JexlArithmetic {

    private static final int MAX_CACHED_PATTERNS = 256;
    /**
     * Characters one match may read. A linear pattern reads each character a few times; ten million
     * reads is tens of milliseconds of one core, far beyond any sane match on an event field (at
     * most 1 MB) and far below what catastrophic backtracking needs.
     */
    static final long MATCH_BUDGET_READS = 10_000_000;
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    GuardedArithmetic(boolean strict) {
        super(strict);
    }

    // JEXL re-creates the arithmetic through this constructor when options change.
    GuardedArithmetic(boolean strict, MathContext context, int scale) {
        super(strict, context, scale);
    }

    @Override
    protected JexlArithmetic createWithOptions(boolean strict, MathContext context, int scale) {
        return new GuardedArithmetic(strict, context, scale);
    }

    /**
     * Ordering comparisons ({@code < <= > >=}) refuse a boolean, a map or a list on either side:
     * JEXL would order {@code true} as 1, so {@code "amount": true} would quietly compare as one
     * unit of money. A failure is reported (RULE_FAILED) instead, as for any value of the wrong type.
     */
    @Override
    protected int compare(Object left, Object right, org.apache.commons.jexl3.JexlOperator operator) {
        requireOrderable(left, operator);
        requireOrderable(right, operator);
        return super.compare(left, right, operator);
    }

    private static void requireOrderable(Object value, org.apache.commons.jexl3.JexlOperator operator) {
        if (value instanceof Boolean || value instanceof Map || value instanceof java.util.Collection) {
            throw new ArithmeticException("'" + operator.getOperatorSymbol() + "' cannot order a "
                    + (value instanceof Boolean ? "boolean" : value instanceof Map ? "JSON object" : "JSON array") + " (" + value + ")");
        }
    }

    @Override
    public Boolean contains(Object container, Object value) {
        if (value != null && (container instanceof String || container instanceof Pattern)) {
            Pattern pattern = container instanceof Pattern p ? p : compile((String) container);
            return pattern.matcher(new BudgetedCharSequence(value.toString(), new long[] {MATCH_BUDGET_READS})).matches();
        }
        return super.contains(container, value);
    }

    private static Pattern compile(String regex) {
        Pattern cached = PATTERNS.get(regex);
        if (cached != null) {
            return cached;
        }
        if (PATTERNS.size() >= MAX_CACHED_PATTERNS) {
            PATTERNS.clear();
        }
        try {
            return PATTERNS.computeIfAbsent(regex, Pattern::compile);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription(), e);
        }
    }

    /**
     * A string that fails its reader once the match has read its budget of characters.
     *
     * @param remaining reads left, shared with the subsequences the matcher takes of it
     */
    private record BudgetedCharSequence(String text, long[] remaining) implements CharSequence {

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (--remaining[0] < 0) {
                throw new IllegalStateException("regular expression exceeded its budget of "
                        + String.format(java.util.Locale.ROOT, "%,d", MATCH_BUDGET_READS) + " character reads (catastrophic backtracking)");
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedCharSequence(text.substring(start, end), remaining);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
