package dev.sluice.stack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.common.security.SolrClientSecurity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small JSON-over-HTTP helper for readiness checks against the services' REST endpoints. */
public final class Http {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private Http() {
    }

    /** GETs a JSON document; throws with the status and the start of the body unless it is 200. */
    public static JsonNode getJson(String url) throws IOException, InterruptedException {
        return getJson(url, SolrClientSecurity.NONE);
    }

    /** As {@link #getJson(String)}, trusting the given stores and sending basic authentication if configured. */
    public static JsonNode getJson(String url, SolrClientSecurity security) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Accept", "application/json").GET();
        security.basicAuthorizationHeader().ifPresent(header -> builder.header("Authorization", header));
        HttpClient client = security == SolrClientSecurity.NONE ? CLIENT : HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).sslContext(security.sslContext()).build();
        HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            String body = response.body() == null ? "" : response.body();
            throw new IOException("GET " + url + " answered " + response.statusCode() + ": "
                    + body.substring(0, Math.min(200, body.length())).replace('\n', ' '));
        }
        return MAPPER.readTree(response.body());
    }
}
