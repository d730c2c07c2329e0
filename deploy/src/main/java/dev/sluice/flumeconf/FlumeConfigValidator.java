package dev.sluice.flumeconf;

import dev.sluice.flumeconf.ComponentTypes.Kind;
import dev.sluice.flumeconf.ComponentTypes.Type;
import dev.sluice.flumeconf.Finding.Severity;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a Flume agent configuration the way Flume should have: every problem at once, each with
 * its line. Flume 1.11 drops a component it cannot configure and starts the rest, so a typo
 * becomes silent data loss or an idle pipeline; this finds it before the agent starts.
 *
 * <p>Errors: components configured but not listed (Flume ignores them), listed but without a
 * {@code type}, sources without channels, sinks without a channel, references to undeclared
 * channels, unknown types or classes (checked against the given classpath: Flume's jars and
 * Sluice's plugin jar), missing required keys, a key within two edits of a known one,
 * {@code transactionCapacity > capacity}, a sink batch larger than its channel's transaction
 * capacity, a Kafka source whose topic header makes a Kafka sink of the same agent write back
 * into the source's topic (a loop), Sluice plugins' own key rules. Warnings: unused channels, a
 * Kafka source left on {@code auto.offset.reset=latest} (new groups skip what is already in the
 * topic), keys the validator does not know.
 */
public final class FlumeConfigValidator {

    private final ClassLoader classes;

    /** @param classpath the jars the agent will run with (Flume's and the plugins'); classes are looked up, never loaded */
    public FlumeConfigValidator(List<Path> classpath) {
        URL[] urls = classpath.stream().map(p -> {
            try {
                return p.toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(URL[]::new);
        this.classes = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    /** A line of the file: its number, key and value. */
    record Entry(int line, String key, String value) {
    }

    /** Reads a properties file keeping line numbers (comments, blank lines and {@code \} continuations handled). */
    static List<Entry> parse(List<String> lines, List<Finding> findings) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            StringBuilder logical = new StringBuilder(lines.get(i).strip());
            while (logical.toString().endsWith("\\") && i + 1 < lines.size()) {
                logical.setLength(logical.length() - 1);
                logical.append(lines.get(++i).strip());
            }
            String text = logical.toString();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith("!")) {
                continue;
            }
            int separator = -1;
            for (int c = 0; c < text.length(); c++) {
                char ch = text.charAt(c);
                if (ch == '=' || ch == ':' || Character.isWhitespace(ch)) {
                    separator = c;
                    break;
                }
            }
            if (separator <= 0) {
                findings.add(new Finding(Severity.ERROR, number, "'" + text + "' is not a 'key = value' line"));
                continue;
            }
            String key = text.substring(0, separator).strip();
            String value = text.substring(separator).replaceFirst("^\\s*[=:]?\\s*", "").strip();
            entries.add(new Entry(number, key, value));
        }
        return entries;
    }

    /** Validates every agent of the file, or only {@code agent} when given. */
    public List<Finding> validate(Path file, String agent) throws IOException {
        List<Finding> findings = new ArrayList<>();
        List<Entry> entries = parse(Files.readAllLines(file, StandardCharsets.UTF_8), findings);
        Set<String> agents = new TreeSet<>();
        for (Entry entry : entries) {
            String[] parts = entry.key().split("\\.", 3);
            if (parts.length == 2 && Set.of("sources", "channels", "sinks", "sinkgroups").contains(parts[1])) {
                agents.add(parts[0]);
            }
        }
        if (agent != null && !agents.contains(agent)) {
            findings.add(new Finding(Severity.ERROR, 0, "no agent '" + agent + "' in the file (it defines " + agents + ")"));
            return findings;
        }
        for (Entry entry : entries) {
            if (!agents.contains(entry.key().split("\\.", 2)[0])) {
                findings.add(new Finding(Severity.WARNING, entry.line(), "'" + entry.key() + "' belongs to no agent of the file " + agents));
            }
        }
        for (String name : agent != null ? Set.of(agent) : agents) {
            new AgentCheck(name, entries, findings).run();
        }
        findings.sort(Comparator.comparingInt(Finding::line));
        return findings;
    }

    private final class AgentCheck {
        private final String agent;
        private final List<Entry> entries;
        private final List<Finding> findings;
        private final Map<Kind, Map<String, Integer>> declared = new LinkedHashMap<>();
        /** component kind → name → its keys (without the agent.kind.name. prefix) → entry */
        private final Map<Kind, Map<String, Map<String, Entry>>> config = new LinkedHashMap<>();

        AgentCheck(String agent, List<Entry> entries, List<Finding> findings) {
            this.agent = agent;
            this.entries = entries;
            this.findings = findings;
        }

        void run() {
            for (Kind kind : List.of(Kind.SOURCE, Kind.CHANNEL, Kind.SINK)) {
                declared.put(kind, new LinkedHashMap<>());
                config.put(kind, new LinkedHashMap<>());
            }
            for (Entry entry : entries) {
                if (!entry.key().startsWith(agent + ".")) {
                    continue;
                }
                String rest = entry.key().substring(agent.length() + 1);
                Kind listKind = listKind(rest);
                if (listKind != null) {
                    for (String name : entry.value().split("\\s+")) {
                        if (!name.isEmpty()) {
                            declared.get(listKind).put(name, entry.line());
                        }
                    }
                    continue;
                }
                String[] parts = rest.split("\\.", 3);
                Kind kind = parts.length == 3 ? kindOfPlural(parts[0]) : null;
                if (kind == null) {
                    if (!rest.startsWith("sinkgroups.") && !rest.startsWith("configfilters")) {
                        findings.add(new Finding(Severity.ERROR, entry.line(), "'" + entry.key() + "' is not a key Flume reads for agent '" + agent + "'"));
                    }
                    continue;
                }
                config.get(kind).computeIfAbsent(parts[1], n -> new LinkedHashMap<>()).put(parts[2], entry);
            }
            if (declared.get(Kind.CHANNEL).isEmpty()) {
                findings.add(new Finding(Severity.ERROR, 0, agent + ".channels is missing or empty: Flume will not start the agent"));
            }
            config.forEach((kind, components) -> components.forEach((name, keys) -> {
                if (!declared.get(kind).containsKey(name)) {
                    Entry first = keys.values().iterator().next();
                    findings.add(new Finding(Severity.ERROR, first.line(), plural(kind) + " '" + name + "' is configured but not listed in "
                            + agent + "." + pluralKey(kind) + ": Flume ignores it"));
                }
            }));
            Set<String> usedChannels = new LinkedHashSet<>();
            declared.get(Kind.CHANNEL).forEach((name, line) -> checkComponent(Kind.CHANNEL, name, line));
            declared.get(Kind.SOURCE).forEach((name, line) -> usedChannels.addAll(checkSource(name, line)));
            declared.get(Kind.SINK).forEach((name, line) -> checkSink(name, line).ifPresent(usedChannels::add));
            declared.get(Kind.CHANNEL).forEach((name, line) -> {
                if (!usedChannels.contains(name)) {
                    Entry type = config.get(Kind.CHANNEL).getOrDefault(name, Map.of()).get("type");
                    findings.add(new Finding(Severity.WARNING, type != null ? type.line() : line, "channel '" + name + "' is used by no source and no sink"));
                }
            });
            checkLoops();
        }

        private Optional<Type> checkComponent(Kind kind, String name, int listLine) {
            Map<String, Entry> keys = config.get(kind).getOrDefault(name, Map.of());
            Entry type = keys.get("type");
            if (type == null) {
                findings.add(new Finding(Severity.ERROR, listLine, plural(kind) + " '" + name + "' has no 'type'"));
                return Optional.empty();
            }
            Optional<Type> known = ComponentTypes.find(kind, type.value());
            if (known.isPresent() && known.get().className() != null && !classExists(known.get().className())) {
                findings.add(new Finding(Severity.ERROR, type.line(), plural(kind) + " '" + name + "': type '" + type.value()
                        + "' needs " + known.get().className() + ", which is not on the agent's classpath"));
            } else if (known.isEmpty() && !classExists(type.value())) {
                findings.add(new Finding(Severity.ERROR, type.line(), plural(kind) + " '" + name + "': unknown type '" + type.value()
                        + "' (neither a Flume alias nor a class on the agent's classpath)"));
            }
            Set<String> common = kind == Kind.SOURCE ? ComponentTypes.SOURCE_COMMON : kind == Kind.SINK ? ComponentTypes.SINK_COMMON
                    : ComponentTypes.CHANNEL_COMMON;
            known.ifPresent(t -> checkKeys(plural(kind) + " '" + name + "'", t, keys, common, type.line()));
            if (kind == Kind.CHANNEL) {
                checkCapacities(name, keys);
            }
            return known;
        }

        private void checkKeys(String what, Type type, Map<String, Entry> keys, Set<String> common, int typeLine) {
            for (String required : type.required()) {
                if (!keys.containsKey(required) || keys.get(required).value().isBlank()) {
                    findings.add(new Finding(Severity.ERROR, typeLine, what + ": missing required key '" + required + "'"));
                }
            }
            for (Map.Entry<String, Entry> key : keys.entrySet()) {
                String k = key.getKey();
                if (type.knows(k) || knowsCommon(common, k)) {
                    continue;
                }
                String near = nearest(k, type.known(), common);
                if (near != null) {
                    findings.add(new Finding(Severity.ERROR, key.getValue().line(), what + ": unknown key '" + k + "' (did you mean '" + near
                            + "'?); Flume ignores it"));
                } else {
                    findings.add(new Finding(Severity.WARNING, key.getValue().line(), what + ": key '" + k + "' is not one " + type.className()
                            + " is known to read"));
                }
            }
            if ("dev.sluice.solr.SolrSink".equals(type.className())) {
                String onRejected = keys.containsKey("onRejected") ? keys.get("onRejected").value().toLowerCase(Locale.ROOT) : "dlq";
                if (onRejected.equals("dlq") && !keys.containsKey("dlq.bootstrap.servers")) {
                    findings.add(new Finding(Severity.ERROR, typeLine, what + ": missing 'dlq.bootstrap.servers' (required with onRejected=dlq, the default)"));
                }
                checkOneOf(what, keys, "format", Set.of("event", "alert"));
                checkOneOf(what, keys, "onRejected", Set.of("dlq", "fail"));
                for (String number : List.of("batchSize", "commitWithinMs", "retry.initialBackoffMs", "retry.maxBackoffMs", "retry.deadlineMs",
                        "requestTimeoutMs", "maxFieldBytes", "maxRecordBytes")) {
                    checkNumber(what, keys, number);
                }
            }
            if ("dev.sluice.interceptors.EnrichInterceptor$Builder".equals(type.className())) {
                checkOneOf(what, keys, "onUnavailable", Set.of("pass", "block"));
            }
        }

        private void checkOneOf(String what, Map<String, Entry> keys, String key, Set<String> allowed) {
            Entry entry = keys.get(key);
            if (entry != null && !entry.value().contains("${") && !allowed.contains(entry.value().toLowerCase(Locale.ROOT))) {
                findings.add(new Finding(Severity.ERROR, entry.line(), what + ": '" + key + "' is '" + entry.value() + "', not one of " + new TreeSet<>(allowed)));
            }
        }

        private void checkNumber(String what, Map<String, Entry> keys, String key) {
            Entry entry = keys.get(key);
            if (entry != null && !entry.value().contains("${") && !entry.value().matches("\\d+")) {
                findings.add(new Finding(Severity.ERROR, entry.line(), what + ": '" + key + "' must be a whole number, was '" + entry.value() + "'"));
            }
        }

        private void checkCapacities(String channel, Map<String, Entry> keys) {
            Long capacity = number(keys.get("capacity"));
            Long transaction = number(keys.get("transactionCapacity"));
            String type = keys.containsKey("type") ? keys.get("type").value().toLowerCase(Locale.ROOT) : "";
            // Flume's defaults: memory 100/100, file 1,000,000/10,000.
            long effectiveCapacity = capacity != null ? capacity : type.equals("file") ? 1_000_000 : 100;
            if (transaction != null && (type.equals("memory") || type.equals("file")) && transaction > effectiveCapacity) {
                findings.add(new Finding(Severity.ERROR, keys.get("transactionCapacity").line(), "channel '" + channel + "': transactionCapacity "
                        + transaction + " > capacity " + effectiveCapacity + (capacity == null ? " (the default)" : "")));
            }
        }

        private Set<String> checkSource(String name, int listLine) {
            Optional<Type> type = checkComponent(Kind.SOURCE, name, listLine);
            Map<String, Entry> keys = config.get(Kind.SOURCE).getOrDefault(name, Map.of());
            Set<String> channels = new LinkedHashSet<>();
            Entry channelsEntry = keys.get("channels");
            if (channelsEntry == null || channelsEntry.value().isBlank()) {
                findings.add(new Finding(Severity.ERROR, listLine, "source '" + name + "' has no 'channels': Flume drops it"));
            } else {
                for (String channel : channelsEntry.value().split("\\s+")) {
                    channels.add(channel);
                    if (!declared.get(Kind.CHANNEL).containsKey(channel)) {
                        findings.add(new Finding(Severity.ERROR, channelsEntry.line(), "source '" + name + "' writes to channel '" + channel
                                + "', which is not listed in " + agent + ".channels"));
                    }
                }
            }
            checkSelector(name, keys, channels);
            checkInterceptors(name, keys);
            if (type.isPresent() && "org.apache.flume.source.kafka.KafkaSource".equals(type.get().className())) {
                if (!keys.containsKey("kafka.topics") && !keys.containsKey("kafka.topics.regex")) {
                    findings.add(new Finding(Severity.ERROR, keys.get("type").line(), "source '" + name + "': missing 'kafka.topics' (or 'kafka.topics.regex')"));
                }
                Entry reset = keys.get("kafka.consumer.auto.offset.reset");
                if (reset == null || reset.value().equalsIgnoreCase("latest")) {
                    findings.add(new Finding(Severity.WARNING, reset == null ? keys.get("type").line() : reset.line(), "source '" + name
                            + "': auto.offset.reset is 'latest'" + (reset == null ? " (Kafka's default)" : "")
                            + ": a new consumer group skips every record already in the topic; set kafka.consumer.auto.offset.reset = earliest"));
                }
            }
            return channels;
        }

        private void checkSelector(String source, Map<String, Entry> keys, Set<String> channels) {
            Entry selector = keys.get("selector.type");
            if (selector == null || !selector.value().equalsIgnoreCase("multiplexing")) {
                return;
            }
            if (!keys.containsKey("selector.header")) {
                findings.add(new Finding(Severity.ERROR, selector.line(), "source '" + source + "': a multiplexing selector needs 'selector.header'"));
            }
            keys.forEach((key, entry) -> {
                if (key.startsWith("selector.mapping.") || key.equals("selector.default") || key.startsWith("selector.optional.")) {
                    for (String channel : entry.value().split("\\s+")) {
                        if (!channel.isEmpty() && !channels.contains(channel)) {
                            findings.add(new Finding(Severity.ERROR, entry.line(), "source '" + source + "': " + key + " names channel '" + channel
                                    + "', which is not among the source's channels " + channels));
                        }
                    }
                }
            });
        }

        private void checkInterceptors(String source, Map<String, Entry> keys) {
            Entry list = keys.get("interceptors");
            if (list == null) {
                return;
            }
            for (String interceptor : list.value().split("\\s+")) {
                if (interceptor.isEmpty()) {
                    continue;
                }
                String prefix = "interceptors." + interceptor + ".";
                Map<String, Entry> own = new LinkedHashMap<>();
                keys.forEach((key, entry) -> {
                    if (key.startsWith(prefix)) {
                        own.put(key.substring(prefix.length()), entry);
                    }
                });
                String what = "source '" + source + "', interceptor '" + interceptor + "'";
                Entry type = own.get("type");
                if (type == null) {
                    findings.add(new Finding(Severity.ERROR, list.line(), what + " has no 'type'"));
                    continue;
                }
                Optional<Type> known = ComponentTypes.find(Kind.INTERCEPTOR, type.value());
                if (known.isEmpty() && !classExists(type.value())) {
                    findings.add(new Finding(Severity.ERROR, type.line(), what + ": unknown type '" + type.value()
                            + "' (a Flume alias, or a class on the agent's classpath; a builder class ends in $Builder)"));
                }
                known.filter(t -> t.className() != null).ifPresent(t -> checkKeys(what, t, own, Set.of("type"), type.line()));
            }
            keys.forEach((key, entry) -> {
                if (key.startsWith("interceptors.")) {
                    String name = key.substring("interceptors.".length()).split("\\.")[0];
                    if (!Arrays.asList(list.value().split("\\s+")).contains(name)) {
                        findings.add(new Finding(Severity.ERROR, entry.line(), "source '" + source + "': interceptor '" + name
                                + "' is configured but not listed in its 'interceptors'"));
                    }
                }
            });
        }

        private Optional<String> checkSink(String name, int listLine) {
            Optional<Type> type = checkComponent(Kind.SINK, name, listLine);
            Map<String, Entry> keys = config.get(Kind.SINK).getOrDefault(name, Map.of());
            Entry channel = keys.get("channel");
            if (channel == null || channel.value().isBlank()) {
                findings.add(new Finding(Severity.ERROR, listLine, "sink '" + name + "' has no 'channel': Flume drops it"));
                return Optional.empty();
            }
            if (!declared.get(Kind.CHANNEL).containsKey(channel.value())) {
                findings.add(new Finding(Severity.ERROR, channel.line(), "sink '" + name + "' reads channel '" + channel.value()
                        + "', which is not listed in " + agent + ".channels"));
                return Optional.empty();
            }
            Map<String, Entry> channelKeys = config.get(Kind.CHANNEL).getOrDefault(channel.value(), Map.of());
            Long transaction = number(channelKeys.get("transactionCapacity"));
            if (transaction == null && channelKeys.containsKey("type")) {
                // Flume's defaults: memory 100, file 10,000.
                String channelType = channelKeys.get("type").value().toLowerCase(Locale.ROOT);
                transaction = channelType.equals("memory") ? Long.valueOf(100) : channelType.equals("file") ? Long.valueOf(10_000) : null;
            }
            String batchKey = type.map(t -> t.className().endsWith("HDFSEventSink") ? "hdfs.batchSize"
                    : t.className().endsWith("KafkaSink") ? "flumeBatchSize" : "batchSize").orElse("batchSize");
            Long batch = number(keys.get(batchKey));
            if (transaction != null && batch != null && batch > transaction) {
                findings.add(new Finding(Severity.ERROR, keys.get(batchKey).line(), "sink '" + name + "': " + batchKey + " " + batch
                        + " > transactionCapacity " + transaction + " of channel '" + channel.value() + "'"));
            }
            return Optional.of(channel.value());
        }

        /** A Kafka source sets a topic header; a Kafka sink on a channel it feeds writes to that topic unless told not to. */
        private void checkLoops() {
            declared.get(Kind.SOURCE).keySet().forEach(source -> {
                Map<String, Entry> keys = config.get(Kind.SOURCE).getOrDefault(source, Map.of());
                if (!isType(keys, "org.apache.flume.source.kafka.KafkaSource") || "false".equalsIgnoreCase(value(keys, "setTopicHeader"))) {
                    return;
                }
                String header = Optional.ofNullable(value(keys, "topicHeader")).orElse("topic");
                Set<String> channels = Set.of(Optional.ofNullable(value(keys, "channels")).orElse("").split("\\s+"));
                declared.get(Kind.SINK).keySet().forEach(sink -> {
                    Map<String, Entry> sinkKeys = config.get(Kind.SINK).getOrDefault(sink, Map.of());
                    if (isType(sinkKeys, "org.apache.flume.sink.kafka.KafkaSink") && channels.contains(value(sinkKeys, "channel"))
                            && !"false".equalsIgnoreCase(value(sinkKeys, "allowTopicOverride"))
                            && header.equals(Optional.ofNullable(value(sinkKeys, "topicHeader")).orElse("topic"))) {
                        findings.add(new Finding(Severity.ERROR, sinkKeys.get("type").line(), "loop: Kafka source '" + source
                                + "' sets the '" + header + "' header and Kafka sink '" + sink + "' writes each event to the topic in it, "
                                + "i.e. back into the source's topic; set " + agent + ".sinks." + sink + ".allowTopicOverride = false or "
                                + agent + ".sources." + source + ".setTopicHeader = false"));
                    }
                });
            });
        }

        private boolean isType(Map<String, Entry> keys, String className) {
            String type = value(keys, "type");
            return type != null && (type.equals(className));
        }

        private static String value(Map<String, Entry> keys, String key) {
            Entry entry = keys.get(key);
            return entry == null ? null : entry.value();
        }
    }

    private boolean classExists(String className) {
        return classes.getResource(className.replace('.', '/') + ".class") != null;
    }

    private static boolean knowsCommon(Set<String> common, String key) {
        for (String k : common) {
            if (k.endsWith("*") ? key.startsWith(k.substring(0, k.length() - 1)) : k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A known key within two edits of {@code key}, or null. A pass-through prefix such as
     * {@code kafka.consumer.*} is compared with as many dot-separated segments of the key.
     */
    static String nearest(String key, Set<String> known, Set<String> common) {
        String best = null;
        int bestDistance = 3;
        for (Set<String> set : List.of(known, common)) {
            for (String candidate : set) {
                String compared = key;
                String plain = candidate;
                String rest = "";
                if (candidate.endsWith(".*")) {
                    plain = candidate.substring(0, candidate.length() - 2);
                    int segments = plain.split("\\.").length;
                    String[] keySegments = key.split("\\.", segments + 1);
                    if (keySegments.length <= segments) {
                        continue;
                    }
                    compared = String.join(".", Arrays.copyOf(keySegments, segments));
                    rest = key.substring(compared.length());
                } else if (candidate.endsWith("*")) {
                    continue;
                }
                int distance = distance(compared.toLowerCase(Locale.ROOT), plain.toLowerCase(Locale.ROOT));
                if (distance > 0 && distance < bestDistance) {
                    best = plain + rest;
                    bestDistance = distance;
                }
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Long number(Entry entry) {
        if (entry == null || !entry.value().matches("\\d{1,18}")) {
            return null;
        }
        return Long.parseLong(entry.value());
    }

    private static Kind listKind(String rest) {
        return switch (rest) {
            case "sources" -> Kind.SOURCE;
            case "channels" -> Kind.CHANNEL;
            case "sinks" -> Kind.SINK;
            default -> null;
        };
    }

    private static Kind kindOfPlural(String plural) {
        return switch (plural) {
            case "sources" -> Kind.SOURCE;
            case "channels" -> Kind.CHANNEL;
            case "sinks" -> Kind.SINK;
            default -> null;
        };
    }

    private static String plural(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static String pluralKey(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT) + "s";
    }
}
