package dev.sluice.stack.internal;

import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the stack needs to know to run one service: its ports, the endpoints it offers, its
 * configuration files and JVM, and how to tell that it is ready.
 *
 * <p>Implementations are stateless: everything a call needs is in its arguments.
 */
public interface ServiceDefinition {

    Service service();

    /**
     * Names of the loopback ports this service binds. The first is its main port, the one a user
     * may fix ({@code --port kafka=9092}).
     */
    List<String> portNames();

    /**
     * The endpoints this service offers once it runs on {@code ports}.
     *
     * @param upstream the endpoints of the services it depends on
     * @param security the material of a secured stack, empty for an open one
     */
    Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security);

    /**
     * Writes the service's configuration under {@code layout.conf()} and says how to start it.
     *
     * @param endpoints the endpoints of every service of this stack, including this one
     * @param security the material of a secured stack, empty for an open one
     */
    JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                      Optional<StackSecurity> security) throws IOException;

    /**
     * One readiness check: a real client round trip. Returns normally when the service is ready
     * to serve, throws with the reason otherwise. Called repeatedly until it passes or a deadline.
     *
     * @return a short description of what answered, for {@code sluice stack status}
     */
    String probe(Map<String, String> endpoints) throws Exception;
}
