package io.streamrec.ops.eval;

import java.util.List;
import java.util.Locale;

/** Minimal, dependency-free SVG charts for the HTML reports (no scripts, no external resources). */
public final class Svg {
  private static final String[] COLORS = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
  };
  private static final int W = 760;
  private static final int H = 360;
  private static final int LEFT = 50;
  private static final int RIGHT = 220;
  private static final int TOP = 20;
  private static final int BOTTOM = 40;

  private Svg() {}

  /**
   * {@code values[group][series]}, all in [0, 1]-ish; the y axis runs to the maximum rounded up.
   */
  public static String groupedBars(List<String> groups, List<String> series, double[][] values) {
    double max = 0;
    for (double[] g : values) {
      for (double v : g) {
        max = Math.max(max, v);
      }
    }
    max = niceMax(max);
    StringBuilder b = header(max);
    double plotW = W - LEFT - RIGHT;
    double groupW = plotW / groups.size();
    double barW = groupW * 0.8 / Math.max(1, series.size());
    for (int g = 0; g < groups.size(); g++) {
      double x0 = LEFT + g * groupW + groupW * 0.1;
      for (int s = 0; s < series.size(); s++) {
        double v = values[g][s];
        double h = (H - TOP - BOTTOM) * (v / max);
        b.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %.4f</title></rect>%n",
                x0 + s * barW,
                H - BOTTOM - h,
                barW * 0.9,
                h,
                COLORS[s % COLORS.length],
                esc(series.get(s)),
                esc(groups.get(g)),
                v));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              LEFT + g * groupW + groupW / 2,
              H - BOTTOM + 18,
              esc(groups.get(g))));
    }
    legend(b, series);
    return b.append("</svg>").toString();
  }

  /**
   * Lines over x = 0..n-1, e.g. metric per time bucket; {@code xLabels} label the first and last
   * points.
   */
  public static String lines(
      List<String> series, double[][] ys, String firstLabel, String lastLabel) {
    double max = 0;
    for (double[] s : ys) {
      for (double v : s) {
        max = Math.max(max, v);
      }
    }
    max = niceMax(max);
    StringBuilder b = header(max);
    double plotW = W - LEFT - RIGHT;
    for (int s = 0; s < ys.length; s++) {
      StringBuilder pts = new StringBuilder();
      int n = ys[s].length;
      for (int i = 0; i < n; i++) {
        double x = LEFT + (n == 1 ? plotW / 2 : plotW * i / (n - 1));
        double y = H - BOTTOM - (H - TOP - BOTTOM) * (ys[s][i] / max);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
              COLORS[s % COLORS.length],
              pts.toString().trim()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\">%s</text>%n",
            LEFT,
            H - BOTTOM + 18,
            esc(firstLabel)));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
            W - RIGHT,
            H - BOTTOM + 18,
            esc(lastLabel)));
    legend(b, series);
    return b.append("</svg>").toString();
  }

  private static StringBuilder header(double max) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                + "font-size=\"12\">%n",
            W,
            H));
    for (int i = 0; i <= 4; i++) {
      double v = max * i / 4;
      double y = H - BOTTOM - (H - TOP - BOTTOM) * i / 4.0;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n",
              LEFT,
              y,
              W - RIGHT,
              y,
              LEFT - 4,
              y + 4,
              v));
    }
    return b;
  }

  private static void legend(StringBuilder b, List<String> series) {
    for (int s = 0; s < series.size(); s++) {
      int y = TOP + 10 + s * 18;
      b.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
              W - RIGHT + 10,
              y - 10,
              COLORS[s % COLORS.length],
              W - RIGHT + 28,
              y,
              esc(series.get(s))));
    }
  }

  private static double niceMax(double max) {
    if (max <= 0) {
      return 1;
    }
    double step = Math.pow(10, Math.floor(Math.log10(max)));
    return Math.ceil(max / step) * step;
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
