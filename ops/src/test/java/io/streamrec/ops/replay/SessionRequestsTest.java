package io.streamrec.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RecommendationRequest;
import io.streamrec.ops.eval.Interaction;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

class SessionRequestsTest {

  @Test
  void shouldAskForAListWhenASessionStarts() {
    Serializer<RecommendationRequest> none = (topic, v) -> new byte[0];
    MockProducer<String, RecommendationRequest> p =
        new MockProducer<>(true, null, (Serializer<String>) (topic, v) -> new byte[0], none);
    Replayer.Sessions s = new Replayer.Sessions(p, "requests", 3_600_000, new AtomicReference<>());
    s.before(new Interaction("u", "a", 5, 0)); // first rating of u: request
    s.before(new Interaction("u", "b", 5, 60_000)); // same session
    s.before(new Interaction("v", "a", 5, 70_000)); // first rating of v: request
    s.before(
        new Interaction(
            "u", "c", 5, 3_660_000)); // exactly one hour after u's previous rating: new session
    s.before(new Interaction("u", "d", 5, 3_700_000));
    assertThat(p.history()).extracting(ProducerRecord::key).containsExactly("u", "v", "u");
    assertThat(p.history()).extracting(r -> r.value().getK()).containsOnly(10);
    assertThat(p.history())
        .extracting(r -> r.value().getRequestId())
        .containsExactly("replay-1", "replay-2", "replay-3");
  }
}
