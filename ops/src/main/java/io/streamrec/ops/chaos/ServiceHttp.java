package io.streamrec.ops.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain {@code GET}s to a service's HTTP port on loopback (health, metrics, recommendations). */
public final class ServiceHttp {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServiceHttp() {}

  /** An HTTP answer. */
  public record Answer(int status, String body) {}

  /** {@code GET http://127.0.0.1:<port><path>}; status -1 when nothing answered. */
  public static Answer get(int port, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return new Answer(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(-1, e.toString());
    }
  }
}
