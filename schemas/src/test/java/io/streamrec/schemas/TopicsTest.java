package io.streamrec.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void shouldDeclareUniqueVersionedNames() {
    var names = new HashSet<String>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      assertThat(names.add(t.name())).as("duplicate %s", t.name()).isTrue();
      assertThat(t.name()).matches("streamrec\\.[a-z]+\\.[a-z-]+\\.v\\d+");
    }
  }

  @Test
  void shouldCoPartitionUserKeyedTopics() {
    assertThat(Topics.RATINGS.partitions())
        .isEqualTo(Topics.TRAINING_EXAMPLES.partitions())
        .isEqualTo(Topics.USER_EMBEDDINGS.partitions())
        .isEqualTo(Topics.RECOMMENDATION_REQUESTS.partitions())
        .isEqualTo(Topics.RECOMMENDATIONS.partitions());
  }

  @Test
  void shouldCompactOnlyLatestValueTopics() {
    assertThat(Topics.all())
        .filteredOn(TopicSpec::compacted)
        .containsExactlyInAnyOrder(
            Topics.USER_EMBEDDINGS, Topics.ITEM_EMBEDDINGS, Topics.ITEM_POPULARITY);
    assertThat(Topics.ITEM_EMBEDDINGS.topicConfigs()).containsEntry("cleanup.policy", "compact");
  }
}
