package io.streamrec.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.TrainingExample;
import io.streamrec.ops.chaos.ChaosSystem.Service;
import io.streamrec.ops.chaos.PoisonPills.Pill;
import io.streamrec.ops.demo.ChildJvm;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.MovieLensFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The poison-pill corpus ({@code chaos/poison-pills.tsv}) replayed into every input topic of a
 * running system (broker, streams-app and trainer as child JVMs, holding real data from a short
 * MovieLens replay): every record must be dead-lettered once per consuming stage with the expected
 * {@link DeadLetterReason} in {@code streamrec.error.reason} and the source coordinates in {@code
 * streamrec.error.{topic,partition,offset}}, or answered (requests, HTTP), and every service must
 * still be running and ready afterwards. The outcome table is written to {@code
 * target/poison-pills.md} (docs/operations.md shows it).
 *
 * <p>Cases marked {@code pending:<owner>} in the corpus wait for a fix on main; they are not sent
 * (one that crashes a service would hide every later result) and are listed as left out.
 */
@Tag("integration")
@Timeout(600)
class PoisonPillIT {
  static final int WARM_UP_RATINGS = 2_000;
  static final int MAX_BYTES = 8 << 20;

  /** Under target/ and kept after the run: the service logs are what one reads when this fails. */
  Path tmp = ChaosSystem.freshDir(Path.of("target", "chaos-it", "PoisonPillIT"));

  @AfterEach
  void noChildLeft() {
    ChildJvm.killAll();
  }

  /** A dead letter as found on a DLQ topic. */
  record Letter(String stage, String reason, String topic, String partition, String offset) {}

  @Test
  void shouldDeadLetterOrAnswerEveryPillWhenHostileInputArrives() throws Exception {
    Path data = MovieLensFixture.ml100kOrSkip();
    String suffix = "-pills";
    List<Pill> pills = PoisonPills.load(suffix);
    try (ChaosSystem sys = new ChaosSystem(new ChaosSystem.Settings(tmp, suffix, 42, Map.of()))) {
      sys.startAll();
      sys.awaitReady(Service.TRAINER, Duration.ofSeconds(150));
      sys.awaitReady(Service.STREAMS_APP, Duration.ofSeconds(150));
      allowLargeRecords(sys);
      List<Interaction> warm =
          MovieLens.sortedByTime(MovieLens.load(data).ratings()).subList(0, WARM_UP_RATINGS);
      sendWarmUp(sys, warm);
      String warmUser = awaitPersonalised(sys, warm, Duration.ofSeconds(180));

      Map<String, RecordMetadata> sent = sendPills(sys, pills);
      Map<String, Integer> http = new LinkedHashMap<>();
      for (Pill p : pills) {
        if (p.topic().equals("http") && p.pending() == null) {
          http.put(
              p.name(),
              sys.recommendations(
                      new String(p.key(), StandardCharsets.UTF_8), p.httpQuery().substring(2))
                  .status());
        }
      }
      Outcomes o = collect(sys, pills, sent, Duration.ofSeconds(90));

      List<String> failures = new ArrayList<>();
      List<String[]> table = new ArrayList<>();
      for (Pill p : pills) {
        if (p.pending() != null) {
          table.add(
              new String[] {
                p.name(),
                p.topic(),
                p.input(),
                expectedText(p),
                "not sent",
                "left out: fix pending (" + p.pending() + ")"
              });
          continue;
        }
        String got = describe(p, o, sent.get(p.name()), http.get(p.name()));
        String problem = check(p, o, sent.get(p.name()), http.get(p.name()));
        table.add(
            new String[] {
              p.name(),
              p.topic(),
              p.input(),
              expectedText(p),
              got,
              problem == null ? "yes" : p.pending() != null ? "pending (" + p.pending() + ")" : "NO"
            });
        if (problem != null && p.pending() == null) {
          failures.add(p.name() + ": " + problem);
        }
      }
      writeTable(table);
      table.forEach(row -> System.out.println(String.join(" | ", row)));

      assertThat(sys.isAlive(Service.STREAMS_APP)).as("streams-app still running").isTrue();
      assertThat(sys.isAlive(Service.TRAINER)).as("trainer still running").isTrue();
      assertThat(sys.ready(Service.STREAMS_APP)).as("streams-app still ready").isTrue();
      assertThat(sys.ready(Service.TRAINER)).as("trainer still ready").isTrue();
      assertThat(sys.recommendations(warmUser, "10").status())
          .as("a normal request still answered")
          .isEqualTo(200);
      assertThat(sys.starts(Service.STREAMS_APP)).as("streams-app never restarted").isEqualTo(1);
      assertThat(failures).as("pills not handled as expected").isEmpty();
    }
    assertThat(ChildJvm.alive()).isEmpty();
  }

  private static void allowLargeRecords(ChaosSystem sys) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, sys.bootstrap());
    try (Admin admin = Admin.create(p)) {
      Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
      for (TopicSpec<?, ?> t :
          List.of(
              Topics.RATINGS,
              Topics.TRAINING_EXAMPLES,
              Topics.USER_EMBEDDINGS,
              Topics.ITEM_EMBEDDINGS,
              Topics.RECOMMENDATION_REQUESTS)) {
        ops.put(
            new ConfigResource(ConfigResource.Type.TOPIC, t.withSuffix(sys.suffix()).name()),
            List.of(
                new AlterConfigOp(
                    new ConfigEntry(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_BYTES)),
                    AlterConfigOp.OpType.SET)));
      }
      admin.incrementalAlterConfigs(ops).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(ChaosSystem sys) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, sys.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_BYTES);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void sendWarmUp(ChaosSystem sys, List<Interaction> ratings) throws Exception {
    TopicSpec<String, RatingEvent> t = Topics.RATINGS.withSuffix(sys.suffix());
    AvroSerde<RatingEvent> serde = AvroSerde.of(RatingEvent.class);
    try (KafkaProducer<byte[], byte[]> producer = producer(sys)) {
      for (Interaction r : ratings) {
        producer.send(
            new ProducerRecord<>(
                t.name(),
                r.userId().getBytes(StandardCharsets.UTF_8),
                serde.encode(
                    RatingEvent.newBuilder()
                        .setUserId(r.userId())
                        .setItemId(r.itemId())
                        .setRating(r.rating())
                        .setTimestamp(Instant.ofEpochMilli(r.timestamp()))
                        .build())));
      }
      producer.flush();
    }
  }

  /**
   * Waits until serving answers one of the warm-up's users with a personalised list; returns that
   * user.
   */
  private static String awaitPersonalised(ChaosSystem sys, List<Interaction> warm, Duration timeout)
      throws InterruptedException {
    Map<String, Integer> counts = new HashMap<>();
    warm.forEach(r -> counts.merge(r.userId(), 1, Integer::sum));
    List<String> users =
        counts.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
            .limit(10)
            .map(Map.Entry::getKey)
            .toList();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      for (String u : users) {
        ServiceHttp.Answer a = sys.recommendations(u, "10");
        if (a.status() == 200 && a.body().contains("\"fallback\":false")) {
          return u;
        }
        last = a.status() + " " + a.body();
      }
      Thread.sleep(1_000);
    }
    throw new IllegalStateException(
        "serving never answered any of " + users + " with a personalised list; last: " + last);
  }

  /** Pills the broker refused, with the exception's class. */
  private final Map<String, String> rejected = new HashMap<>();

  private Map<String, RecordMetadata> sendPills(ChaosSystem sys, List<Pill> pills)
      throws Exception {
    Map<String, RecordMetadata> sent = new LinkedHashMap<>();
    try (KafkaProducer<byte[], byte[]> producer = producer(sys)) {
      for (Pill p : pills) {
        if (p.topic().equals("http") || p.pending() != null) {
          continue;
        }
        String topic = PoisonPills.topic(p.topic()).withSuffix(sys.suffix()).name();
        ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(topic, p.key(), p.value());
        rec.headers().add("streamrec.chaos.pill", p.name().getBytes(StandardCharsets.UTF_8));
        try {
          sent.put(p.name(), producer.send(rec).get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          if (!(p.expected() instanceof PoisonPills.Rejected)) {
            throw e;
          }
          rejected.put(p.name(), e.getCause().getClass().getSimpleName());
        }
      }
    }
    return sent;
  }

  /** What the system made of the pills. */
  static final class Outcomes {
    final Map<String, List<Letter>> lettersBySource = new HashMap<>();
    final Set<String> requestIdsAnswered = new HashSet<>();
    final Map<String, Integer> examplesByUser = new HashMap<>();
  }

  private static String source(String topic, String partition, String offset) {
    return topic + "/" + partition + "@" + offset;
  }

  private static Outcomes collect(
      ChaosSystem sys, List<Pill> pills, Map<String, RecordMetadata> sent, Duration timeout)
      throws InterruptedException {
    Outcomes o = new Outcomes();
    String examples = Topics.TRAINING_EXAMPLES.withSuffix(sys.suffix()).name();
    String recs = Topics.RECOMMENDATIONS.withSuffix(sys.suffix()).name();
    AvroSerde<Recommendations> recSerde = AvroSerde.of(Recommendations.class);
    AvroSerde<TrainingExample> exSerde = AvroSerde.of(TrainingExample.class);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (TopicAudit a = new TopicAudit(sys.bootstrap())) {
      a.assignFromBeginning(
          List.of(
              Topics.DLQ_INGEST.withSuffix(sys.suffix()).name(),
              Topics.DLQ_SERVING.withSuffix(sys.suffix()).name(),
              Topics.DLQ_TRAINER.withSuffix(sys.suffix()).name(),
              examples,
              recs));
      while (System.nanoTime() < deadline) {
        a.pollOnce(
            Duration.ofMillis(500),
            (ConsumerRecord<byte[], byte[]> r) -> {
              if (r.topic().equals(recs)) {
                try {
                  Recommendations x = recSerde.decode(r.value());
                  if (x.getRequestId() != null) {
                    o.requestIdsAnswered.add(x.getRequestId());
                  }
                } catch (RuntimeException e) {
                  // not ours to judge here
                }
              } else if (r.topic().equals(examples)) {
                try {
                  TrainingExample x = exSerde.decode(r.value());
                  o.examplesByUser.merge(x.getUserId(), 1, Integer::sum);
                } catch (RuntimeException e) {
                  // the pills on the examples topic themselves
                }
              } else {
                var h = r.headers();
                Letter l =
                    new Letter(
                        DeadLetterHeaders.get(h, DeadLetterHeaders.STAGE),
                        DeadLetterHeaders.get(h, DeadLetterHeaders.REASON),
                        DeadLetterHeaders.get(h, DeadLetterHeaders.TOPIC),
                        DeadLetterHeaders.get(h, DeadLetterHeaders.PARTITION),
                        DeadLetterHeaders.get(h, DeadLetterHeaders.OFFSET));
                o.lettersBySource
                    .computeIfAbsent(
                        source(l.topic(), l.partition(), l.offset()), k -> new ArrayList<>())
                    .add(l);
              }
            });
        boolean all = true;
        for (Pill p : pills) {
          if (p.pending() == null
              && check(p, o, sent.get(p.name()), 0) != null
              && !(p.expected() instanceof PoisonPills.Http)
              && !(p.expected() instanceof PoisonPills.Rejected)) {
            all = false;
          }
        }
        if (all) {
          // a little longer: a second dead letter for the same record would still show
          Thread.sleep(3_000);
          a.pollOnce(Duration.ofMillis(500), r -> {});
          return o;
        }
      }
    }
    return o;
  }

  /** Null when the pill was handled as expected, else what is wrong. */
  private static String check(Pill p, Outcomes o, RecordMetadata md, Integer httpStatus) {
    if (p.expected() instanceof PoisonPills.Rejected) {
      return md == null ? null : "accepted by the broker";
    }
    if (md == null && !(p.expected() instanceof PoisonPills.Http)) {
      return "not sent";
    }
    if (p.expected() instanceof PoisonPills.Http h) {
      return httpStatus != null && httpStatus == h.status() ? null : "HTTP " + httpStatus;
    }
    if (p.expected() instanceof PoisonPills.Answer) {
      return o.requestIdsAnswered.contains(p.name()) ? null : "no answer";
    }
    if (p.expected() instanceof PoisonPills.Example e) {
      int n = o.examplesByUser.getOrDefault(e.user(), 0);
      return n == 1 ? null : n + " examples";
    }
    PoisonPills.DeadLetters d = (PoisonPills.DeadLetters) p.expected();
    List<Letter> got = letters(o, md);
    for (Map.Entry<String, List<String>> e : d.reasonsByStage().entrySet()) {
      List<Letter> mine = got.stream().filter(l -> e.getKey().equals(l.stage())).toList();
      if (mine.size() != 1 || !e.getValue().contains(mine.get(0).reason())) {
        return "stage " + e.getKey() + ": " + mine.stream().map(Letter::reason).toList();
      }
      DeadLetterReason.ofTag(mine.get(0).reason());
    }
    return null;
  }

  private static List<Letter> letters(Outcomes o, RecordMetadata md) {
    return o.lettersBySource.getOrDefault(
        source(md.topic(), Integer.toString(md.partition()), Long.toString(md.offset())),
        List.of());
  }

  private String describe(Pill p, Outcomes o, RecordMetadata md, Integer httpStatus) {
    if (p.expected() instanceof PoisonPills.Rejected) {
      return md == null
          ? "refused by the broker (" + rejected.get(p.name()) + ")"
          : "accepted by the broker";
    }
    if (p.expected() instanceof PoisonPills.Http) {
      return "HTTP " + httpStatus;
    }
    if (p.expected() instanceof PoisonPills.Answer) {
      return o.requestIdsAnswered.contains(p.name()) ? "answered" : "no answer";
    }
    if (p.expected() instanceof PoisonPills.Example e) {
      return o.examplesByUser.getOrDefault(e.user(), 0) + " example(s)";
    }
    List<Letter> got = letters(o, md);
    return got.isEmpty()
        ? "no dead letter"
        : String.join(", ", got.stream().map(l -> l.stage() + "=" + l.reason()).toList());
  }

  private static String expectedText(Pill p) {
    if (p.expected() instanceof PoisonPills.Rejected) {
      return "refused by the broker";
    }
    if (p.expected() instanceof PoisonPills.Http h) {
      return "HTTP " + h.status();
    }
    if (p.expected() instanceof PoisonPills.Answer) {
      return "answered";
    }
    if (p.expected() instanceof PoisonPills.Example) {
      return "1 example";
    }
    List<String> parts = new ArrayList<>();
    ((PoisonPills.DeadLetters) p.expected())
        .reasonsByStage()
        .forEach((stage, reasons) -> parts.add(stage + "=" + String.join("|", reasons)));
    return String.join(", ", parts);
  }

  private static void writeTable(List<String[]> rows) throws Exception {
    StringBuilder b =
        new StringBuilder(
            "| case | topic | input | expected | got | handled |\n|---|---|---|---|---|---|\n");
    for (String[] r : rows) {
      b.append("| ").append(String.join(" | ", r).replace("\t", " ")).append(" |\n");
    }
    Path out = Path.of("target", "poison-pills.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, b.toString());
  }
}
