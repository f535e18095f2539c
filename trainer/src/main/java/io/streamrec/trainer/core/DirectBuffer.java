package io.streamrec.trainer.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A native-order direct buffer that grows (x2) and is reused: DJL creates a tensor from a direct
 * {@link ByteBuffer} as it is, while a heap array costs a fresh direct allocation (zeroed) plus a
 * copy on every call. A filled buffer is valid until the next fill; the step's tensors are closed
 * before that.
 */
final class DirectBuffer {
  private ByteBuffer buf = ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());

  /** The first {@code n} floats of {@code src}, positioned at 0 with limit {@code 4 n}. */
  ByteBuffer floats(float[] src, int n) {
    ByteBuffer b = ensure(4L * n);
    b.asFloatBuffer().put(src, 0, n);
    return b.limit(4 * n);
  }

  /** The first {@code n} longs of {@code src}, positioned at 0 with limit {@code 8 n}. */
  ByteBuffer longs(long[] src, int n) {
    ByteBuffer b = ensure(8L * n);
    b.asLongBuffer().put(src, 0, n);
    return b.limit(8 * n);
  }

  private ByteBuffer ensure(long bytes) {
    if (buf.capacity() < bytes) {
      buf =
          ByteBuffer.allocateDirect(Math.toIntExact(Math.max(bytes, 2L * buf.capacity())))
              .order(ByteOrder.nativeOrder());
    }
    buf.clear();
    return buf;
  }
}
