package dev.sluice.consumer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.common.event.Event;
import dev.sluice.profiles.Profile;
import dev.sluice.profiles.ProfileUpdates;
import dev.sluice.profiles.schema.Attribute;
import dev.sluice.profiles.schema.ProfileSchema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a profile is held in the cache and joined to an event: its attributes as compact JSON bytes
 * (what the update stream carries), read back per event, of which the schema's {@code enrich}
 * attributes are copied into the event. Stateless and thread-safe.
 */
public final class ProfileEnrichment {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileSchema schema;
    private final Set<String> enrichNames;

    public ProfileEnrichment(ProfileSchema schema) {
        this.schema = schema;
        this.enrichNames = schema.enrichAttributes().stream().map(Attribute::name).collect(Collectors.toUnmodifiableSet());
    }

    /** The cache form of a profile. */
    public byte[] cacheForm(Profile profile) {
        try {
            return JSON.writeValueAsBytes(ProfileUpdates.attributes(profile, schema));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A profile's attributes, as {@link #read} returns them, straight from a profile. */
    public ObjectNode attributes(Profile profile) {
        return JSON.valueToTree(ProfileUpdates.attributes(profile, schema));
    }

    /** A profile's attributes back from their cache form. */
    public ObjectNode read(byte[] cacheForm) {
        try {
            return (ObjectNode) JSON.readTree(cacheForm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The enrich attributes of a profile in its cache form, as the bytes of a JSON object, copied
     * token by token: the attributes that are not copied are skipped, never turned into a tree.
     */
    public byte[] projection(byte[] cacheForm) {
        ByteArrayBuilder out = new ByteArrayBuilder(cacheForm.length);
        try (JsonParser parser = JSON.createParser(cacheForm); JsonGenerator generator = JSON.createGenerator(out)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a cached profile is not a JSON object");
            }
            generator.writeStartObject();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (enrichNames.contains(name)) {
                    generator.writeFieldName(name);
                    generator.copyCurrentStructure(parser);
                } else {
                    parser.skipChildren();
                }
            }
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The event with the profile's enrich attributes. */
    public Event enrich(Event event, ObjectNode profile) {
        ObjectNode out = JSON.createObjectNode();
        for (Attribute attribute : schema.enrichAttributes()) {
            JsonNode value = profile.get(attribute.name());
            if (value != null) {
                out.set(attribute.name(), value);
            }
        }
        return event.withProfile(out);
    }
}
