package dev.sluice.stack.internal;

import dev.sluice.stack.StackException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaRuntimeTest {

    @TempDir
    Path jdk;

    @Test
    void readsTheFeatureVersionFromTheReleaseFile() throws IOException {
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n");
        assertThat(JavaRuntime.featureVersion(jdk)).contains(17);
        assertThat(JavaRuntime.feature("1.8.0_402")).isEqualTo(8);
        assertThat(JavaRuntime.feature("21")).isEqualTo(21);
    }

    @Test
    void refusesAJdkWithoutJava() {
        assertThatThrownBy(() -> JavaRuntime.requireSupported(jdk))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("no Java runtime at " + jdk);
    }

    @Test
    void acceptsTheRunningJdk() {
        JavaRuntime.requireSupported(Path.of(System.getProperty("java.home")));
    }
}
