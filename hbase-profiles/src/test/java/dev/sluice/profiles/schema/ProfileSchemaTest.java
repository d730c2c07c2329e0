package dev.sluice.profiles.schema;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProfileSchemaTest {

    static final String CARDS = """
            keyField: card_id
            attributes:
              holder_name: string
              credit_limit: double
              txn_count: long
              vip: boolean
              card_since: timestamp
            enrich: [credit_limit, vip]
            """;

    @Test
    void parsesAttributesInOrderWithTypesAndEnrichFlags() {
        ProfileSchema schema = ProfileSchema.parse(CARDS, "cards.yaml");

        assertThat(schema.keyField()).isEqualTo("card_id");
        assertThat(schema.family()).isEqualTo("p");
        assertThat(schema.maxValueBytes()).isEqualTo(ProfileSchema.DEFAULT_MAX_VALUE_BYTES);
        assertThat(schema.attributes().keySet()).containsExactly("holder_name", "credit_limit", "txn_count", "vip", "card_since");
        assertThat(schema.attribute("card_since").orElseThrow().type()).isEqualTo(AttributeType.TIMESTAMP);
        assertThat(schema.enrichAttributes()).extracting(Attribute::name).containsExactly("credit_limit", "vip");
    }

    @Test
    void survivesARoundTripThroughItsYaml() {
        ProfileSchema schema = ProfileSchema.parse(CARDS, "cards.yaml");
        assertThat(ProfileSchema.parse(schema.toYaml(), "stored")).isEqualTo(schema);
    }

    @Test
    void reportsEveryProblemAtOnceNamingTheAttribute() {
        SchemaException e = catchThrowableOfType(SchemaException.class, () -> ProfileSchema.parse("""
                keyFeild: card_id
                attributes:
                  amount: decimal
                  9lives: long
                  ok: string
                enrich: [ok, limit]
                """, "bad.yaml"));

        assertThat(e.problems()).containsExactlyInAnyOrder(
                "unknown setting 'keyFeild' (known: attributes, enrich, family, keyField, maxValueBytes)",
                "attribute 'amount': unknown type 'decimal' (one of string, long, double, boolean, timestamp)",
                "attribute '9lives': name must start with a letter or '_' and hold only letters, digits and '_'",
                "enrich: 'limit' is not a declared attribute");
        assertThat(e.getMessage()).startsWith("invalid profile schema bad.yaml: ");
    }

    @Test
    void rejectsASchemaWithoutAttributes() {
        SchemaException e = catchThrowableOfType(SchemaException.class, () -> ProfileSchema.parse("keyField: id\n", "empty.yaml"));
        assertThat(e.problems()).containsExactly("attributes must map at least one attribute name to its type");
    }

    @Test
    void pointsAtTheLineOfAYamlSyntaxError() {
        SchemaException e = catchThrowableOfType(SchemaException.class, () -> ProfileSchema.parse("attributes:\n  a: string\n  b: [oops\n", "broken.yaml"));
        assertThat(e.getMessage()).contains("not valid YAML at line");
    }

    @Test
    void refusesTheKeyFieldAsAnAttribute() {
        SchemaException e = catchThrowableOfType(SchemaException.class, () -> ProfileSchema.parse("attributes:\n  key: string\n", "k.yaml"));
        assertThat(e.problems()).singleElement().asString().contains("attribute 'key': it is the key field");
    }
}
