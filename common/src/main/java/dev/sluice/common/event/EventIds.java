package dev.sluice.common.event;

import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Generates stable event ids: RFC 9562 version-7 UUIDs (48 bits of Unix milliseconds, then
 * random bits). Time-ordered ids keep HBase and Solr writes of one moment close together and make
 * ids sortable by ingest time, while 74 random bits keep collisions out of reach.
 *
 * <p>Clock and randomness are injected so tests and simulations are repeatable. {@link
 * #systemDefault()} is thread-safe; an instance built on a given generator is as thread-safe as
 * that generator.
 */
public final class EventIds {

    private final Clock clock;
    private final Supplier<? extends RandomGenerator> random;

    public EventIds(Clock clock, RandomGenerator random) {
        this(clock, () -> random);
    }

    private EventIds(Clock clock, Supplier<? extends RandomGenerator> random) {
        this.clock = clock;
        this.random = random;
    }

    /** Ids from the UTC system clock and per-thread randomness (no contention on a shared seed). */
    public static EventIds systemDefault() {
        return new EventIds(Clock.systemUTC(), ThreadLocalRandom::current);
    }

    public String next() {
        RandomGenerator rnd = random.get();
        long millis = clock.millis();
        long msb = (millis << 16) | 0x7000L | (rnd.nextLong() & 0x0FFFL);
        long lsb = (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
