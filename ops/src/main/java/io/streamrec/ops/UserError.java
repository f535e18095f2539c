package io.streamrec.ops;

/**
 * A problem the person running {@code streamrec} can fix (a missing data set, a broker that does
 * not answer, a path that cannot be written, a bad flag value). The command line prints its message
 * as one line, without a stack trace, and exits with code {@value #EXIT_CODE}. The message says
 * what was wrong, where it looked, and what to do.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The exit code for usage and configuration errors (picocli's {@code ExitCode.USAGE} too). */
  public static final int EXIT_CODE = 2;

  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
