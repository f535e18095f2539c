package io.streamrec.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line of every StreamRec process main ({@code StreamsMain}, {@code TrainerMain}):
 * {@code [--config FILE] [--KEY=VALUE | --set KEY=VALUE]...}, plus aliases a main declares ({@code
 * --device gpu} for {@code trainer.device=gpu}) and {@code --help}. The overrides are the top layer
 * of {@link ConfigSource#load(String, Path, Map)}: they win over the file and the environment. The
 * {@code streamrec run} command passes its {@code --set} values on in this syntax.
 *
 * @param configFile {@code --config FILE}, or null
 * @param overrides configuration keys from the flags, in command-line order (a later one wins)
 * @param help {@code --help} or {@code -h} was given: print the usage and exit 0
 */
public record MainArgs(Path configFile, Map<String, String> overrides, boolean help) {
  public MainArgs {
    overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
  }

  /** Parsed arguments without {@code --help}. */
  public MainArgs(Path configFile, Map<String, String> overrides) {
    this(configFile, overrides, false);
  }

  /** As {@link #parse(String[], String, Map)} without aliases. */
  public static MainArgs parse(String[] argv, String usage) {
    return parse(argv, usage, Map.of());
  }

  /**
   * Parses {@code argv}.
   *
   * @param usage the one-line usage, quoted in every error
   * @param aliases flag (for example {@code --device}) to the configuration key its value sets
   * @throws IllegalArgumentException for an argument that is none of these forms
   */
  public static MainArgs parse(String[] argv, String usage, Map<String, String> aliases) {
    Path file = null;
    boolean help = false;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("--config")) {
        file = Path.of(value(argv, ++i, a, usage));
      } else if (a.startsWith("--config=")) {
        file = Path.of(a.substring("--config=".length()));
      } else if (a.equals("--set")) {
        String kv = value(argv, ++i, a, usage);
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--set expects key=value, got " + kv);
        }
        overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
      } else if (aliases.containsKey(a)) {
        overrides.put(aliases.get(a), value(argv, ++i, a, usage));
      } else if (a.equals("--help") || a.equals("-h")) {
        help = true;
      } else if (a.startsWith("--") && a.indexOf('=') > 2) {
        overrides.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException("Unexpected argument '" + a + "'; usage: " + usage);
      }
    }
    return new MainArgs(file, overrides, help);
  }

  private static String value(String[] argv, int i, String flag, String usage) {
    if (i >= argv.length) {
      throw new IllegalArgumentException(flag + " needs a value; usage: " + usage);
    }
    return argv[i];
  }
}
