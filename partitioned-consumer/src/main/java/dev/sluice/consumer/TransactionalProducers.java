package dev.sluice.consumer;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Starts transactional producers: at start, and again after a failed transaction.
 *
 * <p>Aborting is not always enough to go on. When the broker is away for longer than
 * {@code transaction.timeout.ms}, its coordinator aborts the open transaction once it is back. A
 * producer that then tries to commit fails with {@code InvalidTxnStateException}, and every later
 * call, {@code abortTransaction} included, fails with "in an error state". A new producer with the
 * same {@code transactional.id} settles what the old one had open: {@code initTransactions} waits for
 * a commit the coordinator already prepared, or aborts the rest; it fences the old producer.
 */
public final class TransactionalProducers {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalProducers.class);

    private TransactionalProducers() {
    }

    /**
     * A new producer from {@code create}, its transactions initialised. While Kafka cannot be reached
     * ({@code max.block.ms} passes), it tries again for as long as {@code keepTrying} says so.
     *
     * @throws TimeoutException when Kafka could not be reached and {@code keepTrying} said stop
     */
    public static <P extends Producer<?, ?>> P start(Supplier<P> create, BooleanSupplier keepTrying) {
        P producer = create.get();
        while (true) {
            try {
                producer.initTransactions();
                return producer;
            } catch (TimeoutException e) {
                // Kafka's contract: initTransactions may be called again after a timeout.
                if (!keepTrying.getAsBoolean()) {
                    producer.close(Duration.ZERO);
                    throw e;
                }
                LOG.warn("transactional producer not initialised yet, trying again: {}", e.getMessage());
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
    }
}
