package dev.sluice.stack.internal;

import java.util.List;
import java.util.Map;

/**
 * How to start one service's JVM.
 *
 * @param mainClass the class whose {@code main} runs the service
 * @param arguments program arguments
 * @param maxHeap value of {@code -Xmx}, e.g. {@code 256m}
 * @param jvmOptions further JVM options
 * @param environment extra environment variables for the child
 */
public record JvmLaunch(String mainClass, List<String> arguments, String maxHeap, List<String> jvmOptions,
                        Map<String, String> environment) {

    public JvmLaunch {
        arguments = List.copyOf(arguments);
        jvmOptions = List.copyOf(jvmOptions);
        environment = Map.copyOf(environment);
    }
}
