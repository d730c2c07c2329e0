package dev.sluice.stack.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Logging configuration for the service JVMs. Every service logs to its standard output, which the
 * stack appends to {@code logs/<service>.log}. Kafka, ZooKeeper and Solr log through Log4j 2;
 * HBase and Hadoop through reload4j (Log4j 1 API).
 */
final class LogConfig {

    private LogConfig() {
    }

    /** Writes {@code conf/log4j2.properties} and returns the JVM option that selects it. */
    static String log4j2(ServiceLayout layout, List<String> quietLoggers) throws IOException {
        StringBuilder config = new StringBuilder("""
                status = warn
                appender.console.type = Console
                appender.console.name = STDOUT
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{ISO8601} %-5p [%t] %c{1.}: %m%n
                rootLogger.level = info
                rootLogger.appenderRef.stdout.ref = STDOUT
                """);
        for (int i = 0; i < quietLoggers.size(); i++) {
            config.append("logger.q").append(i).append(".name = ").append(quietLoggers.get(i)).append('\n')
                    .append("logger.q").append(i).append(".level = warn\n");
        }
        Path file = layout.conf().resolve("log4j2.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return "-Dlog4j2.configurationFile=" + file;
    }

    /** Writes {@code conf/log4j.properties} (found on the classpath, conf comes first) and returns the option that selects it. */
    static String log4j1(ServiceLayout layout, List<String> quietLoggers) throws IOException {
        StringBuilder config = new StringBuilder("""
                log4j.rootLogger=INFO,console
                log4j.appender.console=org.apache.log4j.ConsoleAppender
                log4j.appender.console.target=System.out
                log4j.appender.console.layout=org.apache.log4j.PatternLayout
                log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{2}: %m%n
                """);
        for (String logger : quietLoggers) {
            config.append("log4j.logger.").append(logger).append("=WARN\n");
        }
        Path file = layout.conf().resolve("log4j.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return "-Dlog4j.configuration=" + file.toUri();
    }
}
