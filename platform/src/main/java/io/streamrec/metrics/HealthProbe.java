package io.streamrec.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Container health check without curl in the image: {@code java -cp ...
 * io.streamrec.metrics.HealthProbe URL} exits 0 when {@code GET URL} answers 200, 1 otherwise.
 */
public final class HealthProbe {
  private HealthProbe() {}

  public static void main(String[] args) {
    System.exit(check(args.length > 0 ? args[0] : "http://127.0.0.1:9401/health/ready") ? 0 : 1);
  }

  /** True when the URL answers 200 within two seconds. */
  public static boolean check(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
