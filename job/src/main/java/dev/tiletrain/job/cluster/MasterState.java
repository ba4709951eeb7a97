package dev.tiletrain.job.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a standalone master reports at {@code <web UI>/json/}: its status, the Workers and their free
 * resources, the running applications. (The master has no {@code /api/v1}; that is the driver's.)
 */
public record MasterState(String url, String status, List<Worker> workers, List<App> activeApps) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One Worker as the master sees it; memory in MiB. */
    public record Worker(
            String id, String webUiAddress, String state, int cores, int coresUsed, long memoryMb, long memoryUsedMb) {
        public boolean alive() {
            return "ALIVE".equals(state);
        }

        public int coresFree() {
            return cores - coresUsed;
        }

        public long memoryFreeMb() {
            return memoryMb - memoryUsedMb;
        }
    }

    /** A running application; {@code cores} is what it holds now, memory per executor in MiB. */
    public record App(String id, String name, int cores, long memoryPerExecutorMb, String state) {}

    public boolean alive() {
        return "ALIVE".equals(status);
    }

    public List<Worker> aliveWorkers() {
        return workers.stream().filter(Worker::alive).toList();
    }

    public static MasterState parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a master's /json/ answer: " + e.getMessage(), e);
        }
        List<Worker> workers = new ArrayList<>();
        for (JsonNode w : root.path("workers")) {
            workers.add(new Worker(w.path("id").asText(), w.path("webuiaddress").asText(), w.path("state").asText(),
                    w.path("cores").asInt(), w.path("coresused").asInt(),
                    w.path("memory").asLong(), w.path("memoryused").asLong()));
        }
        List<App> apps = new ArrayList<>();
        for (JsonNode a : root.path("activeapps")) {
            apps.add(new App(a.path("id").asText(), a.path("name").asText(), a.path("cores").asInt(),
                    a.path("memoryperexecutor").asLong(), a.path("state").asText()));
        }
        return new MasterState(root.path("url").asText(), root.path("status").asText(), workers, apps);
    }

    /** Reads the state from a master's web UI ({@code http://host:port}). */
    public static MasterState fetch(URI webUi) throws IOException {
        URI json = webUi.resolve("/json/");
        HttpRequest request = HttpRequest.newBuilder(json).timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + json, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(json + " answered HTTP " + response.statusCode());
        }
        try {
            return parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new IOException(json + ": " + e.getMessage(), e);
        }
    }
}
