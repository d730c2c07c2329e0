package dev.sluice.profiles.load;

import dev.sluice.profiles.schema.ProfileSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileParserTest {

    private static final ProfileSchema SCHEMA = ProfileSchema.parse("""
            keyField: card_id
            maxValueBytes: 16
            attributes:
              name: string
              limit: double
              count: long
              vip: boolean
              since: timestamp
            """, "test");

    private ProfileParser csv() {
        ProfileParser parser = new ProfileParser(SCHEMA, LoadFormat.CSV);
        parser.readHeader("card_id,name,limit,count,vip,since");
        return parser;
    }

    @Test
    void parsesACsvLineIntoTypedAttributesLeavingEmptyCellsOut() {
        ProfileParser.Parsed parsed = csv().parse("c-1,\"Doe, Jane\",1500.5,,true,2026-01-01T00:00:00Z");

        assertThat(parsed.reason()).isNull();
        assertThat(parsed.profile().key()).isEqualTo("c-1");
        assertThat(parsed.profile().attributes()).containsExactly(
                org.assertj.core.api.Assertions.entry("name", "Doe, Jane"),
                org.assertj.core.api.Assertions.entry("limit", 1500.5),
                org.assertj.core.api.Assertions.entry("vip", true),
                org.assertj.core.api.Assertions.entry("since", Instant.parse("2026-01-01T00:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unterminated quote | c-1,\"Jane,1,2,true, | malformed CSV: unterminated quoted field",
            "too few fields     | c-1,Jane,1          | expected 6 fields, found 3",
            "empty key          | ,Jane,1,2,true,     | empty key 'card_id'",
            "wrong type         | c-1,Jane,lots,2,true, | attribute 'limit': 'lots' is not a double",
            "oversized value    | c-1,Jane Jane Jane Jane,1,2,true, | attribute 'name': value of 19 bytes exceeds maxValueBytes 16"})
    void rejectsABadCsvLineWithAReasonNamingTheField(String name, String line, String reason) {
        assertThat(csv().parse(line).reason()).isEqualTo(reason);
    }

    @Test
    void refusesAHeaderWithUnknownColumnsOrWithoutTheKey() {
        ProfileParser parser = new ProfileParser(SCHEMA, LoadFormat.CSV);
        assertThatThrownBy(() -> parser.readHeader("id,name,colour"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no 'card_id' column")
                .hasMessageContaining("column 'colour' is not an attribute")
                .hasMessageContaining("column 'id' is not an attribute");
    }

    @Test
    void parsesAJsonLineAndTreatsNullAsAbsent() {
        ProfileParser parser = new ProfileParser(SCHEMA, LoadFormat.JSONL);
        ProfileParser.Parsed parsed = parser.parse("{\"card_id\":\"c-2\",\"count\":3,\"vip\":false,\"name\":null,\"since\":1767225600000}");

        assertThat(parsed.profile().attributes()).containsOnlyKeys("count", "vip", "since");
        assertThat(parsed.profile().attributes().get("count")).isEqualTo(3L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "broken JSON      | {\"card_id\":\"c\",           | malformed JSON",
            "not an object    | [1,2]                        | expected a JSON object",
            "missing key      | {\"name\":\"x\"}             | missing key 'card_id'",
            "unknown field    | {\"card_id\":\"c\",\"colour\":\"red\"} | unknown attribute 'colour'",
            "wrong type       | {\"card_id\":\"c\",\"count\":\"3\"}   | attribute 'count': expected an integer, got string"})
    void rejectsABadJsonLineWithAReason(String name, String line, String reason) {
        assertThat(new ProfileParser(SCHEMA, LoadFormat.JSONL).parse(line).reason()).startsWith(reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "plain          | a,b,,d         | [a, b, , d]",
            "trailing empty | a,b,           | [a, b, ]",
            "quoted comma   | a,\"b,c\",d    | [a, b,c, d]",
            "escaped quote  | \"say \"\"hi\"\"\",x | [say \"hi\", x]"})
    void splitsCsvLinesWithAndWithoutQuotesAlike(String name, String line, String cells) {
        assertThat(ProfileParser.parseCsv(line).toString()).isEqualTo(cells);
    }
}
