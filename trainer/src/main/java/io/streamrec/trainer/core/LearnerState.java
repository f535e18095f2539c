package io.streamrec.trainer.core;

import java.util.List;

/**
 * Everything a checkpoint stores about an {@link OnlineLearner}. {@code popularity} and {@code
 * alpha} are null in a checkpoint written before the popularity term existed (restored as empty
 * counts and the configured initial weight).
 */
public record LearnerState(
    int dim,
    List<String> userIds,
    List<String> itemIds,
    EmbeddingTable.State users,
    EmbeddingTable.State items,
    long[] itemCounts,
    long[] seenPairs,
    ReplayBuffer.State replay,
    long steps,
    long skipped,
    long examples,
    PopularityCounts.State popularity,
    EmbeddingTable.State alpha) {}
