package dev.sluice.cli;

import dev.sluice.packaging.ParcelBuilder;
import dev.sluice.packaging.ParcelVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sluice parcel build|verify}: Cloudera Manager parcels of the Flume plugins. */
@Command(name = "parcel", mixinStandardHelpOptions = true,
        description = "Build and check Cloudera Manager parcels (and the plugins.d tarball) of Sluice's Flume plugins.",
        subcommands = {ParcelCommand.Build.class, ParcelCommand.Verify.class})
final class ParcelCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a parcel: file name, layout, meta/parcel.json fields and types, the env script, lib/ jars,",
                    "and its SHA-1 in manifest.json. Prints every problem; exit 0 if none, 1 otherwise."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The .parcel file.")
        Path parcel;

        @Option(names = "--manifest", paramLabel = "FILE", description = "Repository manifest (default: manifest.json next to the parcel).")
        Path manifest;

        @Override
        public Integer call() throws IOException {
            List<String> problems = ParcelVerifier.verify(parcel, manifest);
            PrintWriter out = spec.commandLine().getOut();
            if (problems.isEmpty()) {
                out.println(parcel.getFileName() + ": OK");
                return 0;
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println(parcel.getFileName() + ": " + problems.size() + " problem(s)");
            problems.forEach(p -> err.println("  - " + p));
            return SluiceCli.EXIT_FAILED;
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Write the el7/el8/el9 parcels, manifest.json and the plugins.d tarball of the built plugin jar (the build does this too: deploy/target/parcels).")
    static final class Build implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (a parcel repository).")
        Path out;

        @Option(names = "--plugin-jar", paramLabel = "JAR", description = "The plugin jar (default: the one this checkout built).")
        Path pluginJar;

        @Override
        public Integer call() throws IOException {
            Path jar = pluginJar != null ? pluginJar : FlumeCommand.pluginJar();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no plugin jar at " + jar);
            }
            String version = jar.getFileName().toString().replaceFirst("^sluice-flume-plugin-", "").replaceFirst("\\.jar$", "");
            for (Path written : ParcelBuilder.build(jar, version, out)) {
                spec.commandLine().getOut().println("wrote " + written);
            }
            return 0;
        }
    }
}
