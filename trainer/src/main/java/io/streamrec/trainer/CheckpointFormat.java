package io.streamrec.trainer;

import io.streamrec.trainer.core.EmbeddingTable;
import io.streamrec.trainer.core.LearnerState;
import io.streamrec.trainer.core.PopularityCounts;
import io.streamrec.trainer.core.ReplayBuffer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a checkpoint file, field by field (the layout is described on {@link Checkpoints});
 * {@link Checkpoints} owns the file around it: the CRC, the atomic write and the fall-back to an
 * older file. Format 1 (before the popularity term) still reads: empty counters, the configured
 * weight.
 */
final class CheckpointFormat {
  private static final int MAGIC = 0x53525443; // "SRTC"
  private static final int FORMAT = 2;
  private static final int FORMAT_V1 = 1;

  private CheckpointFormat() {}

  static void write(
      DataOutputStream out,
      long version,
      long examples,
      boolean bootstrapDone,
      Map<String, Long> offsets,
      LearnerState st)
      throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(FORMAT);
    out.writeLong(version);
    out.writeLong(examples);
    out.writeBoolean(bootstrapDone);
    out.writeInt(offsets.size());
    for (Map.Entry<String, Long> e : offsets.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeLong(e.getValue());
    }
    out.writeInt(st.dim());
    writeStrings(out, st.userIds());
    writeStrings(out, st.itemIds());
    writeTable(out, st.users());
    writeTable(out, st.items());
    writeLongs(out, st.itemCounts());
    writeLongs(out, st.seenPairs());
    ReplayBuffer.State r = st.replay();
    out.writeLong(r.seen());
    writeInts(out, r.recentUser());
    writeInts(out, r.recentItem());
    writeLongs(out, r.recentTime());
    writeInts(out, r.resUser());
    writeInts(out, r.resItem());
    writeLongs(out, r.resTime());
    out.writeLong(st.steps());
    out.writeLong(st.skipped());
    out.writeLong(st.examples());
    PopularityCounts.State pc = st.popularity();
    out.writeLong(pc.halfLifeMillis());
    out.writeLong(pc.reference());
    out.writeLong(pc.clock());
    out.writeLong(pc.nextSnapshot());
    writeDoubles(out, pc.inflated());
    writeLongs(out, pc.snapshotTimes());
    for (float[] row : pc.snapshotRows()) {
      writeFloats(out, row);
    }
    writeTable(out, st.alpha());
  }

  /**
   * Reads the body of a checkpoint whose CRC has been checked ({@code source} names it in errors).
   */
  static Checkpoints.Snapshot read(DataInputStream in, long seq, Path source) throws IOException {
    if (in.readInt() != MAGIC) {
      throw new IOException("not a StreamRec checkpoint: " + source);
    }
    int format = in.readInt();
    if (format != FORMAT && format != FORMAT_V1) {
      throw new IOException("unsupported checkpoint format " + format + " in " + source);
    }
    long version = in.readLong();
    long examples = in.readLong();
    boolean bootstrapDone = in.readBoolean();
    int no = in.readInt();
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (int i = 0; i < no; i++) {
      offsets.put(in.readUTF(), in.readLong());
    }
    int dim = in.readInt();
    List<String> userIds = readStrings(in);
    List<String> itemIds = readStrings(in);
    EmbeddingTable.State users = readTable(in);
    EmbeddingTable.State items = readTable(in);
    long[] counts = readLongs(in);
    long[] seen = readLongs(in);
    ReplayBuffer.State replay =
        new ReplayBuffer.State(
            in.readLong(),
            readInts(in),
            readInts(in),
            readLongs(in),
            readInts(in),
            readInts(in),
            readLongs(in));
    long steps = in.readLong();
    long skipped = in.readLong();
    long learned = in.readLong();
    PopularityCounts.State popularity = null;
    EmbeddingTable.State alpha = null;
    if (format >= 2) {
      long halfLife = in.readLong();
      long reference = in.readLong();
      long clock = in.readLong();
      long next = in.readLong();
      double[] inflated = readDoubles(in);
      long[] snapTimes = readLongs(in);
      float[][] rows = new float[snapTimes.length][];
      for (int k = 0; k < rows.length; k++) {
        rows[k] = readFloats(in);
      }
      popularity =
          new PopularityCounts.State(halfLife, reference, clock, next, inflated, snapTimes, rows);
      alpha = readTable(in);
    }
    return new Checkpoints.Snapshot(
        seq,
        version,
        examples,
        bootstrapDone,
        offsets,
        new LearnerState(
            dim,
            userIds,
            itemIds,
            users,
            items,
            counts,
            seen,
            replay,
            steps,
            skipped,
            learned,
            popularity,
            alpha));
  }

  private static void writeDoubles(DataOutputStream out, double[] v) throws IOException {
    out.writeInt(v.length);
    for (double x : v) {
      out.writeDouble(x);
    }
  }

  private static double[] readDoubles(DataInputStream in) throws IOException {
    double[] v = new double[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readDouble();
    }
    return v;
  }

  private static void writeTable(DataOutputStream out, EmbeddingTable.State t) throws IOException {
    out.writeInt(t.rows());
    out.writeInt(t.dim());
    writeFloats(out, t.weights());
    writeFloats(out, t.m1());
    writeFloats(out, t.m2());
    writeFloats(out, t.bias());
    writeFloats(out, t.b1());
    writeFloats(out, t.b2());
    writeLongs(out, t.eventTime());
  }

  private static EmbeddingTable.State readTable(DataInputStream in) throws IOException {
    return new EmbeddingTable.State(
        in.readInt(),
        in.readInt(),
        readFloats(in),
        readFloats(in),
        readFloats(in),
        readFloats(in),
        readFloats(in),
        readFloats(in),
        readLongs(in));
  }

  private static void writeStrings(DataOutputStream out, List<String> v) throws IOException {
    out.writeInt(v.size());
    for (String s : v) {
      out.writeUTF(s);
    }
  }

  private static List<String> readStrings(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readUTF());
    }
    return out;
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float x : v) {
      out.writeFloat(x);
    }
  }

  private static float[] readFloats(DataInputStream in) throws IOException {
    float[] v = new float[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }

  private static void writeInts(DataOutputStream out, int[] v) throws IOException {
    out.writeInt(v.length);
    for (int x : v) {
      out.writeInt(x);
    }
  }

  private static int[] readInts(DataInputStream in) throws IOException {
    int[] v = new int[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readInt();
    }
    return v;
  }

  private static void writeLongs(DataOutputStream out, long[] v) throws IOException {
    out.writeInt(v.length);
    for (long x : v) {
      out.writeLong(x);
    }
  }

  private static long[] readLongs(DataInputStream in) throws IOException {
    long[] v = new long[in.readInt()];
    for (int i = 0; i < v.length; i++) {
      v[i] = in.readLong();
    }
    return v;
  }
}
