package dev.sluice.stack.internal;

import dev.sluice.stack.StackException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Loopback ports for one stack start. A free port is found by binding port 0 and reading the
 * port back; the ports handed out by one instance are distinct from each other.
 */
public final class Ports {

    private final Set<Integer> handedOut = new HashSet<>();

    /** A port that was free on 127.0.0.1 a moment ago. */
    public synchronized int free() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (handedOut.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new StackException("cannot bind any loopback port: " + e.getMessage(), e);
            }
        }
        throw new StackException("could not find a free loopback port");
    }

    /**
     * Claims a port the user asked for.
     *
     * @throws StackException naming the port and the service when it is taken
     */
    public synchronized int claim(int port, String forWhat) {
        if (port < 1 || port > 65535) {
            throw new StackException("port " + port + " requested for " + forWhat + " is not a valid TCP port");
        }
        if (!isFree(port) || !handedOut.add(port)) {
            throw new StackException("port " + port + " requested for " + forWhat + " is already in use");
        }
        return port;
    }

    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
