package io.streamrec.trainer.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps external string ids to dense rows {@code 0..size-1} in first-seen order. Rows are never
 * reused or removed, so a row number is stable for the life of a model (and across checkpoints).
 */
public final class IdIndex {
  private final Map<String, Integer> rows = new HashMap<>();
  private final List<String> ids = new ArrayList<>();

  /** The row of {@code id}, assigning the next free row when it is new. */
  public int rowOf(String id) {
    Integer r = rows.get(id);
    if (r != null) {
      return r;
    }
    int row = ids.size();
    rows.put(id, row);
    ids.add(id);
    return row;
  }

  /** The row of {@code id}, or -1 when it is unknown. */
  public int find(String id) {
    Integer r = rows.get(id);
    return r == null ? -1 : r;
  }

  public String idOf(int row) {
    return ids.get(row);
  }

  public int size() {
    return ids.size();
  }

  /** All ids in row order (a copy). */
  public List<String> ids() {
    return List.copyOf(ids);
  }
}
