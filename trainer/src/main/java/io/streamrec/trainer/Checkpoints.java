package io.streamrec.trainer;

import io.streamrec.trainer.core.LearnerState;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
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
  private static final String PREFIX = "checkpoint-";
  private static final String SUFFIX = ".bin";

  /** One restored checkpoint. */
  public record Snapshot(
      long sequence,
      long modelVersion,
      long examplesTrained,
      boolean bootstrapDone,
      Map<String, Long> offsets,
      LearnerState learner) {}

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
        ch.write(ByteBuffer.wrap(new byte[] {1}));
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
      LearnerState st) {
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
        CheckpointFormat.write(out, modelVersion, examplesTrained, bootstrapDone, offsets, st);
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
    long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
    if (stored != crc.getValue()) {
      throw new IOException("CRC mismatch in " + p);
    }
    InputStream body = new ByteArrayInputStream(all, 0, all.length - 8);
    DataInputStream in =
        new DataInputStream(new BufferedInputStream(new CheckedInputStream(body, new CRC32())));
    String n = p.getFileName().toString();
    long seq = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    return CheckpointFormat.read(in, seq, p);
  }
}
