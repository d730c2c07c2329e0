package dev.sluice.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Sends a run's transactions to the tier-1 agent's HTTP source as a well-behaved client does: JSON
 * Lines requests of {@code batch} transactions at a steady rate, and a request the agent did not
 * accept (503 while Kafka is away, a refused connection) sent again, whole, until it is accepted.
 * A resent request may have been partly written before it failed, so its transactions are
 * remembered: they may be in {@code events.raw} more than once (with the same id).
 */
final class HttpDriver extends Thread {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    private final List<Transactions.Transaction> transactions;
    private final int batch;
    private final int ratePerSecond;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<String> resent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refusals = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong longestRequestMillis = new java.util.concurrent.atomic.AtomicLong();
    /** System.nanoTime() when the request now waiting for an answer was sent; 0 when none is. */
    private volatile long inFlightSince;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    HttpDriver(int port, List<Transactions.Transaction> transactions, int batch, int ratePerSecond) {
        super("http-driver");
        setDaemon(true);
        this.port = port;
        this.transactions = transactions;
        this.batch = batch;
        this.ratePerSecond = ratePerSecond;
    }

    @Override
    public void run() {
        try {
            long interval = TimeUnit.SECONDS.toNanos(batch) / ratePerSecond;
            long next = System.nanoTime();
            for (int i = 0; i < transactions.size(); i += batch) {
                List<Transactions.Transaction> slice = transactions.subList(i, Math.min(transactions.size(), i + batch));
                send(slice);
                accepted.addAndGet(slice.size());
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private void send(List<Transactions.Transaction> slice) throws InterruptedException {
        byte[] body = slice.stream().map(Transactions.Transaction::json).collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            String problem;
            long began = System.nanoTime();
            inFlightSince = began;
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                inFlightSince = 0;
                longestRequestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), Math::max);
                if (response.statusCode() == 200) {
                    return;
                }
                if (response.statusCode() != 503) {
                    throw new IllegalStateException("the HTTP source answered " + response.statusCode() + ": " + response.body());
                }
                problem = "503";
            } catch (IOException e) {
                inFlightSince = 0;
                problem = e.toString();
            }
            refusals.incrementAndGet();
            slice.forEach(t -> resent.add(t.id()));
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the HTTP source did not accept a request for 3 minutes: " + problem);
            }
            Thread.sleep(1000);
        }
    }

    /** Transactions the agent has accepted (HTTP 200) so far. */
    int accepted() {
        return accepted.get();
    }

    /** Waits for the end of the run and fails if the client gave up. */
    void finish() throws InterruptedException {
        join(TimeUnit.MINUTES.toMillis(6));
        if (isAlive()) {
            throw new AssertionError("the driver did not finish in 6 minutes (accepted " + accepted() + ")");
        }
        if (failure.get() != null) {
            throw new AssertionError("the driver failed", failure.get());
        }
    }

    /** Ids of transactions in requests that had to be sent more than once. */
    Set<String> resent() {
        return Set.copyOf(resent);
    }

    int refusals() {
        return refusals.get();
    }

    /** How long the request now in flight has waited for its answer; 0 when none is waiting. */
    long inFlightMillis() {
        long since = inFlightSince;
        return since == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    /** The longest time the agent took to answer one request. */
    long longestRequestMillis() {
        return longestRequestMillis.get();
    }
}
