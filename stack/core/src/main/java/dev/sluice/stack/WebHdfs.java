package dev.sluice.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads HDFS through its WebHDFS REST endpoint ({@link StackEndpoints#hdfsHttpUrl()}): no Hadoop
 * client on the caller's classpath, which would clash with the HBase client's. For checks and
 * reconciliation, not for bulk reads.
 */
public final class WebHdfs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** @param httpUrl the NameNode's HTTP address, e.g. {@code http://127.0.0.1:9870} */
    public WebHdfs(String httpUrl) {
        this.baseUrl = httpUrl.endsWith("/") ? httpUrl.substring(0, httpUrl.length() - 1) : httpUrl;
    }

    /** Every file under a directory, recursively, in-progress ones included; empty if it does not exist. */
    public List<String> files(String directory) throws IOException, InterruptedException {
        List<String> files = new ArrayList<>();
        String body = call(directory, "LISTSTATUS");
        if (body == null) {
            return files;
        }
        for (JsonNode status : JSON.readTree(body).path("FileStatuses").path("FileStatus")) {
            String path = directory + "/" + status.path("pathSuffix").asText();
            if ("DIRECTORY".equals(status.path("type").asText())) {
                files.addAll(files(path));
            } else {
                files.add(path);
            }
        }
        return files;
    }

    /**
     * A file's content as UTF-8 text (up to what its writer has flushed, for a file still open).
     *
     * @throws java.io.FileNotFoundException if there is no such file, e.g. an in-progress file that
     *     its writer rolled (renamed) after it was listed
     */
    public String read(String file) throws IOException, InterruptedException {
        String body = call(file, "OPEN");
        if (body == null) {
            throw new java.io.FileNotFoundException("no such HDFS file: " + file);
        }
        return body;
    }

    /**
     * The complete lines of a line-oriented file. A writer that died (kill -9) can leave the last
     * line of its in-progress file torn: bytes past its last flush that reached the DataNode
     * without their newline. Such a tail is not a record (its events were never committed
     * upstream, so they were re-read and written again elsewhere) and is left out.
     */
    public List<String> completeLines(String file) throws IOException, InterruptedException {
        String content = read(file);
        int end = content.lastIndexOf('\n');
        List<String> lines = new ArrayList<>();
        if (end < 0) {
            return lines;
        }
        for (String line : content.substring(0, end).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private String call(String path, String op) throws IOException, InterruptedException {
        String encoded = URLEncoder.encode(path, StandardCharsets.UTF_8).replace("%2F", "/");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/webhdfs/v1" + encoded
                + "?op=" + op + "&user.name=sluice")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException("WebHDFS " + op + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
