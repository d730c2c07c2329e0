package dev.sluice.stack.internal;

import dev.sluice.stack.StackException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortsTest {

    @Test
    void handsOutDistinctFreePorts() {
        Ports ports = new Ports();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            int port = ports.free();
            assertThat(seen.add(port)).isTrue();
            assertThat(Ports.isFree(port)).isTrue();
        }
    }

    @Test
    void refusesATakenPortNamingItAndTheService() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> new Ports().claim(taken.getLocalPort(), "kafka"))
                    .isInstanceOf(StackException.class)
                    .hasMessage("port " + taken.getLocalPort() + " requested for kafka is already in use");
        }
    }

    @Test
    void refusesTheSamePortForTwoServices() {
        Ports ports = new Ports();
        int port = ports.free();
        assertThatThrownBy(() -> ports.claim(port, "solr")).hasMessageContaining("already in use");
        assertThatThrownBy(() -> new Ports().claim(70000, "solr")).hasMessageContaining("not a valid TCP port");
    }
}
