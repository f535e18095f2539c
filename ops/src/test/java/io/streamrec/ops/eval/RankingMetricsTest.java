package io.streamrec.ops.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

  private static final Set<String> TRAIN_ITEMS =
      Set.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

  @Test
  void shouldScoreAHandComputedCase() {
    // u1: hits at ranks 0 and 2, |gt| = 3 -> DCG = 1 + 1/2 = 1.5; IDCG(3) = 1 + 1/log2(3) + 1/2
    // u2: one relevant item, hit at rank 1 -> DCG = 1/log2(3); IDCG(1) = 1
    Map<String, List<String>> recs =
        Map.of("u1", List.of("a", "b", "c"), "u2", List.of("d", "e", "f"));
    Map<String, Set<String>> gt = new LinkedHashMap<>();
    gt.put("u1", Set.of("a", "c", "x"));
    gt.put("u2", Set.of("e"));
    var s = RankingMetrics.score(recs, gt, TRAIN_ITEMS, 3);
    double idcg3 = 1 + 1 / log2(3) + 0.5;
    double expected = (1.5 / idcg3 + (1 / log2(3))) / 2;
    assertThat(s.ndcg()).isCloseTo(expected, offset(1e-12));
    assertThat(s.hitRate()).isEqualTo(1.0);
    assertThat(s.coverage()).isCloseTo(6 / 10.0, offset(1e-12));
  }

  @Test
  void shouldLimitIdealDcgToKWhenUserHasMoreRelevantItemsThanK() {
    Map<String, List<String>> recs = Map.of("u", List.of("a", "b", "c", "d"));
    Map<String, Set<String>> gt = Map.of("u", Set.of("a", "b", "z1", "z2", "z3"));
    var s = RankingMetrics.score(recs, gt, TRAIN_ITEMS, 2);
    assertThat(s.ndcg()).isCloseTo(1.0, offset(1e-12));
  }

  @Test
  void shouldCountUsersWithoutRecommendationsAsZero() {
    Map<String, Set<String>> gt = new LinkedHashMap<>();
    gt.put("u1", Set.of("a"));
    gt.put("u2", Set.of("b"));
    var s = RankingMetrics.score(Map.of("u1", List.of("a")), gt, TRAIN_ITEMS, 10);
    assertThat(s.hitRate()).isEqualTo(0.5);
    assertThat(s.ndcg()).isCloseTo(0.5, offset(1e-12));
    assertThat(s.users()).isEqualTo(2);
  }

  @Test
  void shouldOnlyLookAtTheFirstKItems() {
    var s =
        RankingMetrics.score(
            Map.of("u", List.of("a", "b", "c")), Map.of("u", Set.of("c")), TRAIN_ITEMS, 2);
    assertThat(s.hitRate()).isZero();
    assertThat(s.coverage()).isCloseTo(0.2, offset(1e-12));
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
