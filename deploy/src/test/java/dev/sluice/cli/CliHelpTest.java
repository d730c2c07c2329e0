package dev.sluice.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code --help} of the CLI renders as written: picocli formats descriptions with {@code String.format} and
 * resolves {@code ${...}}, so a bare {@code %} printed format warnings and a Kafka config-provider example printed
 * "e.g. null".
 */
class CliHelpTest {

    @Test
    void everyCommandsHelpRendersWithoutWarningsOrUnresolvedVariables() {
        List<CommandLine> commands = new ArrayList<>();
        collect(new CommandLine(new SluiceCli()), commands);
        assertThat(commands).hasSizeGreaterThan(20);

        PrintStream err = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            for (CommandLine command : commands) {
                String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertThat(usage).as(command.getCommandSpec().qualifiedName()).doesNotContain("e.g. null", "=null", "(default: null)");
            }
        } finally {
            System.setErr(err);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).as("picocli's warnings while rendering help").isEmpty();
    }

    @Test
    void theKafkaConfigHelpShowsAConfigProviderReference() {
        CommandLine redrive = new CommandLine(new SluiceCli()).getSubcommands().get("replay").getSubcommands().get("redrive");
        assertThat(redrive.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " "))
                .contains("e.g. ${dir:/etc/sluice/secrets:kafka.password}");
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, into));
    }
}
