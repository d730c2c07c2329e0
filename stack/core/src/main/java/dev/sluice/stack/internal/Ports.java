package dev.sluice.stack.internal;

import dev.sluice.common.net.LoopbackPorts;
import dev.sluice.stack.StackException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Loopback ports for one stack start: free ones from {@link LoopbackPorts} (never the same twice in
 * a JVM, so the stack's ports and those of agents started beside it cannot collide), and the ones a
 * user asks for, checked and remembered so that no two services get the same.
 */
public final class Ports {

    private final Set<Integer> handedOut = new HashSet<>();

    /** A port that was free on 127.0.0.1 a moment ago, and not handed out before in this JVM. */
    public synchronized int free() {
        try {
            int port = LoopbackPorts.free();
            handedOut.add(port);
            return port;
        } catch (IOException e) {
            throw new StackException("cannot find a free loopback port: " + e.getMessage(), e);
        }
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
