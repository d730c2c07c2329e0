package dev.sluice.stack.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes Hadoop-style {@code *-site.xml} files (core, hdfs, yarn, hbase). */
public final class SiteXml {

    private SiteXml() {
    }

    public static void write(Path file, Map<String, String> properties) throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!-- Written by the Sluice local stack; rewritten at every start. -->\n")
                .append("<configuration>\n");
        properties.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> xml
                .append("  <property><name>").append(escape(e.getKey())).append("</name><value>")
                .append(escape(e.getValue())).append("</value></property>\n"));
        xml.append("</configuration>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, xml, StandardCharsets.UTF_8);
    }

    private static String escape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
