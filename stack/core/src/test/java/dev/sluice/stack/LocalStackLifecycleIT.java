package dev.sluice.stack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start, crash, restart and failure paths, on the smallest stack that shows them (ZooKeeper, Kafka). */
class LocalStackLifecycleIT {

    private Path workDir;

    @BeforeEach
    void newWorkDir() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "lifecycle-it-");
    }

    @AfterEach
    void nothingIsLeftRunning() {
        LocalStack.attach(workDir).stop();
        assertThat(LocalStack.processesOf(workDir)).isEmpty();
    }

    @Test
    void reportsAServiceThatDiedWithItsLogAndStartsCleanlyAgain() throws Exception {
        LocalStack stack = LocalStack.builder().workDir(workDir).services(Service.ZOOKEEPER).build();
        stack.start();
        ProcessHandle zookeeper = LocalStack.processesOf(workDir).get(0);

        zookeeper.destroyForcibly();
        zookeeper.onExit().get(30, TimeUnit.SECONDS);

        List<ServiceStatus> statuses = LocalStack.attach(workDir).status();
        assertThat(statuses).singleElement().satisfies(s -> {
            assertThat(s.service()).isEqualTo(Service.ZOOKEEPER);
            assertThat(s.running()).isFalse();
            assertThat(s.answering()).isFalse();
            assertThat(s.detail()).contains("not running").contains(s.log().toString());
        });
        assertThat(stack.isRunning()).isFalse();

        // A second start after the crash cleans up instead of failing.
        StackEndpoints endpoints = stack.start();
        assertThat(stack.status()).singleElement().satisfies(s -> assertThat(s.answering()).isTrue());
        assertThat(endpoints.zookeeperConnect()).startsWith("127.0.0.1:");
        stack.close();
    }

    @Test
    void aStoppedServiceStartsAgainOnItsPortWithItsData() throws Exception {
        LocalStack stack = LocalStack.builder().workDir(workDir).services(Service.KAFKA).build();
        StackEndpoints endpoints = stack.start();
        String bootstrap = endpoints.kafkaBootstrapServers();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(java.util.Map.of("bootstrap.servers", bootstrap),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("kept", "k", "before the restart")).get(30, TimeUnit.SECONDS);
        }

        stack.stop(Service.KAFKA);
        assertThat(stack.isRunning()).isFalse();
        assertThatThrownBy(() -> stack.stop(Service.KAFKA)).isInstanceOf(StackException.class).hasMessageContaining("not running");
        stack.start(Service.KAFKA);

        assertThatThrownBy(() -> stack.start(Service.KAFKA)).isInstanceOf(StackException.class).hasMessageContaining("already running");
        assertThat(stack.isRunning()).isTrue();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(java.util.Map.of("bootstrap.servers", bootstrap),
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            var partition = new org.apache.kafka.common.TopicPartition("kept", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            var records = consumer.poll(java.time.Duration.ofSeconds(20));
            assertThat(records.records(partition)).extracting(org.apache.kafka.clients.consumer.ConsumerRecord::value)
                    .containsExactly("before the restart");
        }
        assertThatThrownBy(() -> LocalStack.attach(workDir).start(Service.KAFKA)).isInstanceOf(StackException.class)
                .hasMessageContaining("only a stack started by this LocalStack");
        stack.close();
    }

    @Test
    void refusesToStartASecondStackInTheSameWorkDirectory() {
        LocalStack first = LocalStack.builder().workDir(workDir).services(Service.ZOOKEEPER).build();
        first.start();
        long pid = LocalStack.processesOf(workDir).get(0).pid();

        assertThatThrownBy(() -> LocalStack.builder().workDir(workDir).services(Service.ZOOKEEPER).build().start())
                .isInstanceOf(StackException.class)
                .hasMessageContaining("already running in " + workDir);
        assertThat(LocalStack.processesOf(workDir)).extracting(ProcessHandle::pid).containsExactly(pid);
        first.close();
    }

    @Test
    void failsBeforeStartingAnythingWhenARequestedPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            LocalStack stack = LocalStack.builder().workDir(workDir).services(Service.KAFKA).port(Service.KAFKA, port).build();

            assertThatThrownBy(stack::start)
                    .isInstanceOf(StackException.class)
                    .hasMessage("port " + port + " requested for kafka is already in use");
            assertThat(LocalStack.processesOf(workDir)).isEmpty();
        }
    }

    @Test
    void runsOnARequestedFreePort() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        LocalStack stack = LocalStack.builder().workDir(workDir).services(Service.ZOOKEEPER).port(Service.ZOOKEEPER, port).build();
        assertThat(stack.start().zookeeperConnect()).isEqualTo("127.0.0.1:" + port);
        stack.close();
    }

    @Test
    void failsClearlyWhenTheWorkDirectoryIsNotUsable() throws IOException {
        Path file = Files.writeString(workDir.resolve("a-file"), "not a directory");
        LocalStack stack = LocalStack.builder().workDir(file.resolve("stack")).services(Service.ZOOKEEPER).build();

        assertThatThrownBy(stack::start)
                .isInstanceOf(StackException.class)
                .hasMessageContaining("work directory " + file.resolve("stack") + " is not usable");
    }

    @Test
    void namesTheServiceAndItsLogWhenItsJvmExitsDuringStartAndStopsTheRest() throws IOException {
        // A JDK whose java exits at once for ZooKeeper but runs Kafka: the real one, wrapped.
        Path fakeJdk = workDir.resolve("fake-jdk");
        Files.createDirectories(fakeJdk.resolve("bin"));
        Files.writeString(fakeJdk.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Path java = fakeJdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\ncase \"$*\" in *sluice.stack.service=zookeeper*) echo 'ERROR simulated crash' ; exit 3;; esac\n"
                + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalStack stack = LocalStack.builder().workDir(workDir).services(Service.ZOOKEEPER, Service.KAFKA).javaHome(fakeJdk).build();

        assertThatThrownBy(stack::start)
                .isInstanceOf(StackException.class)
                .hasMessageStartingWith("zookeeper exited during start with exit code 3; see "
                        + workDir.resolve("logs").resolve("zookeeper.log"))
                .hasMessageContaining("ERROR simulated crash");
        assertThat(LocalStack.processesOf(workDir)).as("kafka is stopped too").isEmpty();
    }

    @Test
    void refusesAJdkOlderThan17() throws IOException {
        Path oldJdk = workDir.resolve("old-jdk");
        Files.createDirectories(oldJdk.resolve("bin"));
        Files.writeString(oldJdk.resolve("release"), "JAVA_VERSION=\"11.0.22\"\n");
        Path java = Files.writeString(oldJdk.resolve("bin/java"), "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> LocalStack.builder().workDir(workDir).services(Service.ZOOKEEPER).javaHome(oldJdk).build().start())
                .isInstanceOf(StackException.class)
                .hasMessageContaining("is Java 11; the stack needs JDK 17 or newer");
        assertThat(LocalStack.processesOf(workDir)).isEmpty();
    }
}
