package dev.sluice.stack.internal;

import dev.sluice.stack.Service;
import dev.sluice.stack.security.StackSecurity;
import dev.sluice.stack.StackEndpoints;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One ZooKeeper 3.9 server, shared by HBase and SolrCloud as on a real cluster. */
public final class ZooKeeperDefinition implements ServiceDefinition {

    @Override
    public Service service() {
        return Service.ZOOKEEPER;
    }

    @Override
    public List<String> portNames() {
        return List.of("client");
    }

    @Override
    public Map<String, String> endpoints(Map<String, Integer> ports, Map<String, String> upstream, Optional<StackSecurity> security) {
        return Map.of(StackEndpoints.ZOOKEEPER_CONNECT, "127.0.0.1:" + ports.get("client"));
    }

    @Override
    public JvmLaunch prepare(ServiceLayout layout, Map<String, Integer> ports, Map<String, String> endpoints,
                             Optional<StackSecurity> security) throws IOException {
        Files.writeString(layout.conf().resolve("zoo.cfg"), String.join("\n",
                "tickTime=2000",
                "initLimit=10",
                "syncLimit=5",
                "dataDir=" + layout.data(),
                "clientPort=" + ports.get("client"),
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok,srvr,stat,mntr,conf",
                ""), StandardCharsets.UTF_8);
        String logging = LogConfig.log4j2(layout, List.of());
        return new JvmLaunch("org.apache.zookeeper.server.ZooKeeperServerMain",
                List.of(layout.conf().resolve("zoo.cfg").toString()), "128m",
                List.of(logging, "-XX:+UseSerialGC", "-Dzookeeper.jmx.log4j.disable=true"), Map.of());
    }

    /** {@code ruok} then {@code srvr}: ZooKeeper's own admin commands over its client port. */
    @Override
    public String probe(Map<String, String> endpoints) throws IOException {
        String connect = endpoints.get(StackEndpoints.ZOOKEEPER_CONNECT);
        int port = Integer.parseInt(connect.substring(connect.lastIndexOf(':') + 1));
        String ruok = fourLetterWord(port, "ruok");
        if (!ruok.startsWith("imok")) {
            throw new IOException("ZooKeeper answered '" + ruok + "' to ruok");
        }
        String srvr = fourLetterWord(port, "srvr");
        if (!srvr.contains("Mode: standalone")) {
            throw new IOException("ZooKeeper is not serving yet: " + srvr.lines().findFirst().orElse("no answer"));
        }
        return "zookeeper " + connect;
    }

    private static String fourLetterWord(int port, String word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
