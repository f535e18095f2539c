package io.streamrec.trainer;

import io.streamrec.trainer.core.EmbeddingTable;
import io.streamrec.trainer.core.OnlineLearner;
import io.streamrec.trainer.core.PopularityCounts;
import io.streamrec.trainer.core.ReplayBuffer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomic, self-validating trainer checkpoints in one directory.
 *
 * <p>File {@code checkpoint-<seq>.bin} (seq = 20 zero-padded digits, increasing): magic {@code
 * SRTC}, format version, then big-endian {@link DataOutputStream} fields: model version, examples
 * trained, bootstrap-done flag, consumed offsets (topic, partition, next offset), then the learner
 * state (id lists in row order, both tables with their Adam moments and event times, item counts,
 * seen pairs, replay buffer, step counters), then (format 2) the popularity counters (half-life,
 * reference time, clock, next snapshot time, inflated counts as doubles, the snapshot times and
 * feature rows) and the popularity weight as a 1 x 1 table, and finally the CRC-32 of everything
 * before it. Format 1 (before the popularity term) still reads: empty counters, the configured
 * weight.
 *
 * <p>Write protocol: write {@code .checkpoint-<seq>.bin.tmp}, {@code fsync} it, rename it
 * atomically to its final name, {@code fsync} the directory, then delete all but the newest {@code
 * keep} checkpoints. A crash at any point leaves the previous checkpoint intact; a torn or corrupt
 * file fails its CRC and {@link #loadNewest} falls back to the next older one.
 */
public final class Checkpoints {
  private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);
  private static final int MAGIC = 0x53525443; // "SRTC"
  private static final int FORMAT = 2;
  private static final int FORMAT_V1 = 1;
  private static final String PREFIX = "checkpoint-";
  private static final String SUFFIX = ".bin";

  /** One restored checkpoint. */
  public record Snapshot(
      long sequence,
      long modelVersion,
      long examplesTrained,
      boolean bootstrapDone,
      Map<String, Long> offsets,
      OnlineLearner.LearnerState learner) {}

  private final Path dir;
  private final int keep;

  public Checkpoints(Path dir, int keep) {
    this.dir = dir;
    this.keep = keep;
  }

  public Path dir() {
    return dir;
  }

  /**
   * Fails at once when checkpoints cannot be written here (the directory cannot be created, or a
   * file in it cannot be created, synced and deleted), so that a misconfigured trainer stops at
   * start instead of at its first checkpoint.
   */
  public void ensureWritable() {
    try {
      Files.createDirectories(dir);
      Path probe = dir.resolve(".write-probe.tmp");
      try (FileChannel ch =
          FileChannel.open(
              probe,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
        ch.force(true);
      }
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new IllegalStateException(
          "Checkpoint directory " + dir.toAbsolutePath() + " is not writable: " + e, e);
    }
  }

  /**
   * Writes a checkpoint atomically and returns its path.
   *
   * @param offsets next offset to consume per {@code topic:partition} key
   */
  public Path write(
      long modelVersion,
      long examplesTrained,
      boolean bootstrapDone,
      Map<String, Long> offsets,
      OnlineLearner.LearnerState st) {
    try {
      Files.createDirectories(dir);
      long seq = newestSequence() + 1;
      String name = String.format("%s%020d%s", PREFIX, seq, SUFFIX);
      Path tmp = dir.resolve("." + name + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        OutputStream raw = Channels.newOutputStream(ch);
        CRC32 crc = new CRC32();
        DataOutputStream out =
            new DataOutputStream(
                new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
        writeBody(out, modelVersion, examplesTrained, bootstrapDone, offsets, st);
        out.flush();
        new DataOutputStream(raw).writeLong(crc.getValue());
        ch.force(true);
      }
      Path target = dir.resolve(name);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      fsyncDirectory();
      prune();
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write checkpoint in " + dir, e);
    }
  }

  /** The newest checkpoint that reads back with a valid CRC, if any. */
  public Optional<Snapshot> loadNewest() {
    for (Path p : list()) {
      try {
        return Optional.of(read(p));
      } catch (IOException | RuntimeException e) {
        log.warn("Skipping unreadable checkpoint {}: {}", p, e.toString());
      }
    }
    return Optional.empty();
  }

  /** Checkpoint files, newest first. */
  public List<Path> list() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
              })
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long newestSequence() {
    List<Path> all = list();
    if (all.isEmpty()) {
      return 0;
    }
    String n = all.get(0).getFileName().toString();
    return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = keep; i < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
  }

  private void fsyncDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for sync; the rename itself is still atomic.
      log.debug("Directory fsync not supported on {}: {}", dir, e.toString());
    }
  }

  static Snapshot read(Path p) throws IOException {
    byte[] all = Files.readAllBytes(p);
    if (all.length < 16) {
      throw new IOException("truncated checkpoint " + p);
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 8);
    long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
    if (stored != crc.getValue()) {
      throw new IOException("CRC mismatch in " + p);
    }
    InputStream body = new java.io.ByteArrayInputStream(all, 0, all.length - 8);
    DataInputStream in =
        new DataInputStream(new BufferedInputStream(new CheckedInputStream(body, new CRC32())));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a StreamRec checkpoint: " + p);
    }
    int format = in.readInt();
    if (format != FORMAT && format != FORMAT_V1) {
      throw new IOException("unsupported checkpoint format " + format + " in " + p);
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
    String n = p.getFileName().toString();
    long seq = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    return new Snapshot(
        seq,
        version,
        examples,
        bootstrapDone,
        offsets,
        new OnlineLearner.LearnerState(
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

  private static void writeBody(
      DataOutputStream out,
      long version,
      long examples,
      boolean bootstrapDone,
      Map<String, Long> offsets,
      OnlineLearner.LearnerState st)
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
