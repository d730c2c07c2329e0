package dev.sluice.cli;

import dev.sluice.stack.LocalStack;
import dev.sluice.stack.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sluice.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice profiles init/load/get/stats} as an operator runs them, on a real HBase and Kafka. */
class SluiceProfilesCommandIT {

    private static Path workDir;
    private static LocalStack stack;

    @BeforeAll
    static void startStack() throws IOException {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "profiles-cli-it-");
        stack = LocalStack.builder().workDir(workDir.resolve("stack")).services(Service.HBASE, Service.KAFKA).stopOnExit(true).build();
        stack.start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void initLoadGetAndStatsWorkTogetherWithTrustworthyExitCodes() throws IOException {
        String stackDir = workDir.resolve("stack").toString();
        Path schema = Path.of("..", "conf", "profiles", "cards.yaml").toAbsolutePath().normalize();

        CliRun init = run("profiles", "init", "--schema", schema.toString(), "--regions", "4", "--work-dir", stackDir);
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(init.out()).contains("table profiles: created", "table events: created", "topic profiles.updates: ready");
        assertThat(run("profiles", "init", "--schema", schema.toString(), "--regions", "4", "--work-dir", stackDir).out())
                .contains("table profiles: exists, unchanged");

        Path csv = Files.writeString(workDir.resolve("cards.csv"), String.join("\n",
                "card_id,holder_name,segment,credit_limit,vip",
                "card-1,Ann,gold,5000,true",
                "card-2,Bob,retail,oops,false",
                "card-3,Cy,retail,1200,false", ""), StandardCharsets.UTF_8);
        CliRun load = run("profiles", "load", csv.toString(), "--no-progress", "--work-dir", stackDir);
        assertThat(load.exitCode()).as(load.err()).isEqualTo(SluiceCli.EXIT_ROWS_REJECTED);
        assertThat(load.out()).contains("Loaded 2 profiles, rejected 1 lines");
        assertThat(load.err()).contains("line 3: attribute 'credit_limit': 'oops' is not a double");
        assertThat(Files.readString(workDir.resolve("cards.csv.rejected.tsv"))).contains("3\tattribute 'credit_limit'");

        CliRun strict = run("profiles", "load", csv.toString(), "--strict", "--no-progress", "--work-dir", stackDir);
        assertThat(strict.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(strict.err()).contains("--strict: 1 bad line(s), nothing loaded");

        // --bulk: the same report and exit codes; the rows arrive as HFiles, readable once it returns.
        Path more = Files.writeString(workDir.resolve("more-cards.csv"), String.join("\n",
                "card_id,holder_name,segment,credit_limit,vip",
                "card-3,Cy,gold,1500,false",
                "card-4,Dee,retail,300,maybe",
                "card-5,Eve,retail,700,true", ""), StandardCharsets.UTF_8);
        CliRun bulk = run("profiles", "load", more.toString(), "--bulk", "--staging", workDir.resolve("staging").toString(),
                "--no-progress", "--work-dir", stackDir);
        assertThat(bulk.exitCode()).as(bulk.err()).isEqualTo(SluiceCli.EXIT_ROWS_REJECTED);
        assertThat(bulk.out()).contains("Loaded 2 profiles, rejected 1 lines");
        assertThat(bulk.err()).contains("line 3: attribute 'vip'");
        assertThat(run("profiles", "get", "card-3", "card-5", "--work-dir", stackDir).out())
                .contains("\"key\":\"card-3\"", "\"credit_limit\":1500.0", "\"key\":\"card-5\"");
        assertThat(workDir.resolve("staging")).as("staged HFiles removed").isEmptyDirectory();
        CliRun stagingWithoutBulk = run("profiles", "load", more.toString(), "--staging", "/tmp", "--no-progress", "--work-dir", stackDir);
        assertThat(stagingWithoutBulk.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(stagingWithoutBulk.err()).contains("--staging is for --bulk loads only");

        CliRun get = run("profiles", "get", "card-1", "--work-dir", stackDir);
        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).contains("\"key\":\"card-1\"", "\"segment\":\"gold\"", "\"credit_limit\":5000.0", "\"vip\":true");
        CliRun missing = run("profiles", "get", "card-2", "--work-dir", stackDir);
        assertThat(missing.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(missing.err()).contains("no profile for key 'card-2'");

        CliRun stats = run("profiles", "stats", "--work-dir", stackDir);
        assertThat(stats.exitCode()).isZero();
        assertThat(stats.out()).containsPattern("profiles +3 ").containsPattern("regions +4").contains("credit_limit:double (enrich)");
    }

    @Test
    void aBadSchemaFailsAtInitNamingTheAttribute() throws IOException {
        Path schema = Files.writeString(workDir.resolve("bad.yaml"), "attributes:\n  amount: money\n");
        CliRun init = run("profiles", "init", "--schema", schema.toString(), "--work-dir", workDir.resolve("stack").toString());
        assertThat(init.exitCode()).isEqualTo(SluiceCli.EXIT_FAILED);
        assertThat(init.err()).contains("attribute 'amount': unknown type 'money'");
    }


}
