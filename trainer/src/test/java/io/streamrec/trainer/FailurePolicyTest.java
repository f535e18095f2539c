package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {

  @Test
  void shouldRetryWhenTheCauseChainHoldsARetriableKafkaErrorOrIo() {
    assertThat(FailurePolicy.retriable(new TimeoutException("t"))).isTrue();
    assertThat(FailurePolicy.retriable(new KafkaException("wrapped", new DisconnectException("d"))))
        .isTrue();
    assertThat(FailurePolicy.retriable(new UncheckedIOException(new IOException("disk")))).isTrue();
    assertThat(FailurePolicy.retriable(new IllegalStateException("bug"))).isFalse();
    assertThat(FailurePolicy.retriable(new ProducerFencedException("fenced"))).isFalse();
    assertThat(FailurePolicy.retriable(new KafkaException("fatal"))).isFalse();
  }

  @Test
  void shouldBackOffExponentiallyWhenFailuresRepeatAndStartAfreshAfterASuccess() {
    FailurePolicy p = new FailurePolicy(Duration.ofMinutes(5));
    assertThat(p.onFailure(new TimeoutException("1"))).isEqualTo(Duration.ofMillis(100));
    assertThat(p.onFailure(new TimeoutException("2"))).isEqualTo(Duration.ofMillis(200));
    assertThat(p.onFailure(new TimeoutException("3"))).isEqualTo(Duration.ofMillis(400));
    for (int i = 0; i < 10; i++) {
      p.onFailure(new TimeoutException("n"));
    }
    assertThat(p.onFailure(new TimeoutException("capped"))).isEqualTo(Duration.ofSeconds(5));
    p.onSuccess();
    assertThat(p.onFailure(new TimeoutException("again"))).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void shouldRethrowWhenTheFailureIsFatalOrTheBudgetIsExhausted() throws Exception {
    FailurePolicy p = new FailurePolicy(Duration.ofMillis(50));
    IllegalStateException bug = new IllegalStateException("bug");
    assertThatThrownBy(() -> p.onFailure(bug)).isSameAs(bug);
    p.onFailure(new TimeoutException("first"));
    Thread.sleep(80);
    TimeoutException late = new TimeoutException("still failing");
    assertThatThrownBy(() -> p.onFailure(late)).isSameAs(late);
  }
}
