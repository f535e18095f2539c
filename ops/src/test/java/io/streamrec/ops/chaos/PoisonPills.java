package io.streamrec.ops.chaos;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.RecommendationRequest;
import io.streamrec.avro.TrainingExample;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The poison-pill corpus ({@code src/test/resources/chaos/poison-pills.tsv}, format in its header)
 * turned into records: which topic, which key and value bytes, and what must become of each.
 */
final class PoisonPills {
  static final String RESOURCE = "/chaos/poison-pills.tsv";
  static final long FAR_PAST = Instant.parse("1900-01-01T00:00:00Z").toEpochMilli();
  static final long YEAR_3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();

  /** What must become of a pill. */
  sealed interface Expected permits DeadLetters, Example, Answer, Http, Rejected {}

  /** One dead letter per stage, its reason one of the allowed tags. */
  record DeadLetters(Map<String, List<String>> reasonsByStage) implements Expected {}

  /** Accepted: one training example for this user. */
  record Example(String user) implements Expected {}

  /** A Recommendations record whose requestId is the pill's name. */
  record Answer() implements Expected {}

  /** The broker refuses the write. */
  record Rejected() implements Expected {}

  /** An HTTP status. */
  record Http(int status) implements Expected {}

  /**
   * @param pending why this case is left out of CI (a defect not fixed on main yet), or null
   */
  record Pill(
      String name,
      String topic,
      byte[] key,
      byte[] value,
      String httpQuery,
      Expected expected,
      String pending,
      String keySpec,
      String valueSpec) {

    /** Human-readable input for the docs table (long ids shortened). */
    String input() {
      return "key " + keySpec + ", value " + valueSpec;
    }
  }

  private PoisonPills() {}

  static List<Pill> load(String suffix) {
    List<Pill> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(PoisonPills.class.getResourceAsStream(RESOURCE), RESOURCE),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] c = line.split("\t", -1);
        if (c.length != 5) {
          throw new IllegalArgumentException("expected 5 tab-separated columns: " + line);
        }
        out.add(parse(c[0], c[1], c[2], c[3], c[4], suffix));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The topic a corpus topic name stands for. */
  static TopicSpec<?, ?> topic(String name) {
    return switch (name) {
      case "ratings" -> Topics.RATINGS;
      case "examples" -> Topics.TRAINING_EXAMPLES;
      case "user-embeddings" -> Topics.USER_EMBEDDINGS;
      case "item-embeddings" -> Topics.ITEM_EMBEDDINGS;
      case "requests" -> Topics.RECOMMENDATION_REQUESTS;
      default -> throw new IllegalArgumentException("unknown topic " + name);
    };
  }

  private static Pill parse(
      String name, String topic, String key, String value, String expected, String suffix) {
    String pending = null;
    String exp = expected;
    if (exp.startsWith("pending:")) {
      int sp = exp.indexOf(' ');
      pending = exp.substring("pending:".length(), sp);
      exp = exp.substring(sp + 1);
    }
    byte[] k = key(key);
    if (topic.equals("http")) {
      return new Pill(
          name,
          topic,
          k,
          null,
          value,
          expectation(exp, new String(k, StandardCharsets.UTF_8)),
          pending,
          key,
          value);
    }
    topic(topic);
    byte[] v = value(name, topic, value);
    String user = value.startsWith("rating ") ? fields(value).get("user") : null;
    return new Pill(
        name,
        topic,
        k,
        v,
        null,
        expectation(exp, user == null ? null : id(user)),
        pending,
        key,
        shorten(value));
  }

  private static Expected expectation(String e, String user) {
    if (e.equals("example")) {
      return new Example(user);
    }
    if (e.equals("rejected")) {
      return new Rejected();
    }
    if (e.equals("answer")) {
      return new Answer();
    }
    if (e.startsWith("http:")) {
      return new Http(Integer.parseInt(e.substring(5)));
    }
    Map<String, List<String>> byStage = new LinkedHashMap<>();
    for (String part : e.split(",")) {
      if (!part.startsWith("dlq:") || !part.contains("=")) {
        throw new IllegalArgumentException("bad expectation " + e);
      }
      String stage = part.substring(4, part.indexOf('='));
      byStage.put(stage, List.of(part.substring(part.indexOf('=') + 1).split("\\|")));
    }
    return new DeadLetters(byStage);
  }

  private static byte[] key(String spec) {
    if (spec.equals("null")) {
      return null;
    }
    if (spec.equals("empty")) {
      return new byte[0];
    }
    if (spec.startsWith("text:")) {
      return spec.substring(5).getBytes(StandardCharsets.UTF_8);
    }
    return id(spec).getBytes(StandardCharsets.UTF_8);
  }

  private static String id(String spec) {
    if (spec.startsWith("repeat:")) {
      String[] p = spec.split(":");
      return p[1].repeat(Integer.parseInt(p[2]));
    }
    return spec;
  }

  private static byte[] value(String name, String topic, String spec) {
    switch (spec) {
      case "null":
        return null;
      case "empty":
        return new byte[0];
      case "unknown-fingerprint":
        {
          byte[] b = new byte[20];
          b[0] = (byte) 0xC3;
          b[1] = 0x01;
          Arrays.fill(b, 2, 10, (byte) 0x5A);
          return b;
        }
      case "truncated":
        {
          byte[] full =
              AvroSerde.of(RatingEvent.class)
                  .encode(rating(Map.of("user", "t", "item", "1", "rating", "4", "ts", "now")));
          return Arrays.copyOf(full, 14);
        }
      default:
        break;
    }
    if (spec.startsWith("garbage:")) {
      byte[] b = new byte[Integer.parseInt(spec.substring(8))];
      new Random(name.hashCode()).nextBytes(b);
      b[0] = 0x00;
      return b;
    }
    Map<String, String> f = fields(spec);
    String kind = spec.substring(0, spec.indexOf(' '));
    return switch (kind) {
      case "rating" -> AvroSerde.of(RatingEvent.class).encode(rating(f));
      case "example" ->
          AvroSerde.of(TrainingExample.class)
              .encode(
                  TrainingExample.newBuilder()
                      .setUserId(id(f.get("user")))
                      .setItemId(id(f.get("item")))
                      .setRating(Float.parseFloat(f.get("rating")))
                      .setTimestamp(Instant.ofEpochMilli(ts(f.get("ts"))))
                      .setUserInteractions(1)
                      .build());
      case "embedding" -> {
        float[] v = new float[Integer.parseInt(f.get("dim"))];
        Arrays.fill(v, Float.parseFloat(f.get("fill")));
        List<Float> vec = new ArrayList<>();
        for (float x : v) {
          vec.add(x);
        }
        yield AvroSerde.of(EmbeddingUpdate.class)
            .encode(
                EmbeddingUpdate.newBuilder()
                    .setId(id(f.get("id")))
                    .setVector(vec)
                    .setBias(Float.parseFloat(f.get("bias")))
                    .setModelVersion(1)
                    .setUpdatedAt(Instant.now())
                    .setEventTime(Instant.now())
                    .build());
      }
      case "request" ->
          AvroSerde.of(RecommendationRequest.class)
              .encode(
                  RecommendationRequest.newBuilder()
                      .setUserId(id(f.get("user")))
                      .setK(Integer.parseInt(f.get("k")))
                      .setRequestId(name)
                      .build());
      default ->
          throw new IllegalArgumentException("unknown value kind in " + spec + " (" + topic + ")");
    };
  }

  private static RatingEvent rating(Map<String, String> f) {
    return RatingEvent.newBuilder()
        .setUserId(id(f.get("user")))
        .setItemId(id(f.get("item")))
        .setRating(Float.parseFloat(f.get("rating")))
        .setTimestamp(Instant.ofEpochMilli(ts(f.get("ts"))))
        .build();
  }

  static long ts(String t) {
    return switch (t) {
      case "now" -> System.currentTimeMillis();
      case "far-past" -> FAR_PAST;
      case "epoch" -> 0L;
      case "year-3000" -> YEAR_3000;
      case "max" -> Long.MAX_VALUE;
      case "min" -> Long.MIN_VALUE;
      default -> Long.parseLong(t);
    };
  }

  private static Map<String, String> fields(String spec) {
    Map<String, String> f = new HashMap<>();
    for (String part : spec.substring(spec.indexOf(' ') + 1).split(" ")) {
      int eq = part.indexOf('=');
      f.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return f;
  }

  private static String shorten(String spec) {
    return spec.replaceAll("repeat:(.):1048576", "<1 MB id>")
        .replaceAll("repeat:(.):716800", "<700 KB id>")
        .replaceAll("repeat:(.):614400", "<600 KB id>");
  }
}
