package dev.sluice.stack;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A server of the local stack, with the services it needs running before it starts. */
public enum Service {
    ZOOKEEPER("zookeeper", "zookeeper"),
    KAFKA("kafka", "kafka"),
    HBASE("hbase", "hbase", ZOOKEEPER),
    SOLR("solr", "solr", ZOOKEEPER),
    HDFS("hdfs", "hadoop"),
    YARN("yarn", "hadoop");

    /** What {@code sluice stack up} starts when no services are named: all but YARN. */
    public static final Set<Service> DEFAULTS = EnumSet.of(ZOOKEEPER, KAFKA, HBASE, SOLR, HDFS);

    private final String id;
    private final String role;
    private final Service[] dependencies;

    Service(String id, String role, Service... dependencies) {
        this.id = id;
        this.role = role;
        this.dependencies = dependencies;
    }

    /** Lower-case name used on the command line, in directory names and in the endpoints file. */
    public String id() {
        return id;
    }

    /** The role module whose classpath this service's JVM runs with. */
    public String role() {
        return role;
    }

    public Set<Service> dependencies() {
        return dependencies.length == 0 ? EnumSet.noneOf(Service.class) : EnumSet.of(dependencies[0], dependencies);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Service fromId(String id) {
        String normalized = id.trim().toLowerCase(Locale.ROOT);
        for (Service service : values()) {
            if (service.id.equals(normalized)) {
                return service;
            }
        }
        throw new IllegalArgumentException("unknown service '" + id + "'; known services: zookeeper, kafka, hbase, solr, hdfs, yarn");
    }

    /** The given services plus everything they depend on. */
    public static Set<Service> withDependencies(Set<Service> services) {
        EnumSet<Service> closure = EnumSet.noneOf(Service.class);
        for (Service service : services) {
            closure.add(service);
            closure.addAll(service.dependencies());
        }
        return closure;
    }

    @Override
    public String toString() {
        return id;
    }
}
