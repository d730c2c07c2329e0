package dev.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice flume validate} as scripts use it: findings on stdout, exit 0 without errors, 1 with. */
class FlumeValidateCommandTest {

    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationsPassAndABrokenOneFailsWithItsLines() throws IOException {
        Path conf = Path.of(System.getProperty("sluice.home", ".."), "conf", "flume");
        CliRun tier1 = run("flume", "validate", conf.resolve("tier1.properties").toString(), "--agent", "tier1");
        assertThat(tier1.exitCode()).as(tier1.out() + tier1.err()).isZero();
        assertThat(tier1.out()).contains("0 error(s), 0 warning(s)");

        Path warnOnly = Files.write(dir.resolve("warn.properties"), List.of("a.channels = c spare", "a.sinks = s",
                "a.channels.c.type = memory", "a.channels.spare.type = memory", "a.sinks.s.type = logger", "a.sinks.s.channel = c"));
        CliRun warnings = run("flume", "validate", warnOnly.toString());
        assertThat(warnings.exitCode()).isZero();
        assertThat(warnings.out()).contains(warnOnly + ":4: warning: channel 'spare' is used by no source and no sink", "0 error(s), 1 warning(s)");

        Path broken = Files.write(dir.resolve("bad.properties"), List.of("a.channels = c", "a.sinks = s",
                "a.channels.c.type = memory", "a.sinks.s.type = hdfs", "a.sinks.s.chanel = c"));
        CliRun errors = run("flume", "validate", broken.toString(), "--agent", "a");
        assertThat(errors.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(errors.out()).contains(broken + ":4: error: sink 's': missing required key 'hdfs.path'",
                broken + ":5: error: sink 's': unknown key 'chanel' (did you mean 'channel'?); Flume ignores it");

        CliRun noAgent = run("flume", "validate", broken.toString(), "--agent", "b");
        assertThat(noAgent.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(noAgent.out()).contains("no agent 'b' in the file");
    }
}
