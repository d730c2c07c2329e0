package dev.sluice.consumer;

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

/**
 * How a profile is held in the cache and joined to an event: its attributes as compact JSON bytes
 * (what the update stream carries), read back per event, of which the schema's {@code enrich}
 * attributes are copied into the event. Stateless and thread-safe.
 */
public final class ProfileEnrichment {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProfileSchema schema;

    public ProfileEnrichment(ProfileSchema schema) {
        this.schema = schema;
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
