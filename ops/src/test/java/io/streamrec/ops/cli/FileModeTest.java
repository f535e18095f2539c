package io.streamrec.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streamrec.ops.eval.TutorialReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileModeTest {

  @Test
  void shouldScoreRecommendationFilesWithTheSameMetricsAndWriteAllReports(@TempDir Path dir)
      throws Exception {
    Path recs =
        Files.writeString(
            dir.resolve("recs.csv"),
            """
        user_id,item_id,score
        1,10,0.9
        1,11,0.8
        1,12,0.7
        2,13,0.5
        2,10,0.6
        """);
    Path train =
        Files.writeString(
            dir.resolve("train.csv"),
            """
        user_id,item_id,rating,timestamp
        1,20,5,100
        2,21,4,100
        3,10,4,100
        3,11,4,100
        3,12,4,100
        3,13,4,100
        """);
    Path test =
        Files.writeString(
            dir.resolve("test.csv"),
            """
        1,12,5,200
        1,13,4,200
        1,14,2,200
        2,20,5,200
        """);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TutorialReport.Result r =
        TutorialRun.fileMode(
            recs,
            train,
            test,
            4f,
            2,
            1,
            dir.resolve("out"),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    TutorialReport.Row row = r.rows().get(0);
    // user 1: top-2 = [10, 11], relevant {12, 13}: no hit. user 2: top-2 = [10, 13], relevant {20}:
    // no hit.
    assertThat(row.hitRate()).isZero();
    // distinct recommended in top-2: {10, 11, 13} over 6 train items (20, 21, 10, 11, 12, 13).
    assertThat(row.coverage()).isCloseTo(3.0 / 6, within(1e-9));
    r =
        TutorialRun.fileMode(
            recs,
            train,
            test,
            4f,
            3,
            1,
            dir.resolve("out3"),
            new PrintStream(buf, true, StandardCharsets.UTF_8));
    row = r.rows().get(0);
    // K=3: user 1 hits 12 at rank 2 -> DCG 1/log2(4) = 0.5, IDCG over min(3, 2) = 1 + 1/log2(3);
    // user 2 none.
    double idcg = 1 + 1 / (Math.log(3) / Math.log(2));
    assertThat(row.hitRate()).isCloseTo(0.5, within(1e-9));
    assertThat(row.ndcg()).isCloseTo(0.5 / idcg / 2, within(1e-9));
    assertThat(r.rows()).extracting(TutorialReport.Row::name).contains("popularity", "random");
    assertThat(dir.resolve("out3/results.md")).content().contains("| recs.csv |");
    assertThat(dir.resolve("out3/results.json")).content().contains("\"hitRate\"");
    assertThat(dir.resolve("out3/results.html"))
        .content()
        .contains("<svg")
        .doesNotContain("<script");
  }

  @Test
  void shouldCountTheListsOfUsersWithoutGroundTruthInCoverageOnly(@TempDir Path dir)
      throws Exception {
    // User 3 has a list but no relevant test item (RePlay's Coverage takes the whole recommendation
    // set).
    Path recs =
        Files.writeString(
            dir.resolve("recs.csv"),
            """
        user_id,item_id,score
        1,12,0.9
        1,11,0.8
        3,20,0.9
        3,21,0.8
        3,13,0.1
        """);
    Path train =
        Files.writeString(
            dir.resolve("train.csv"),
            """
        user_id,item_id,rating,timestamp
        1,20,5,100
        2,21,4,100
        3,10,4,100
        3,11,4,100
        3,12,4,100
        3,13,4,100
        """);
    Path test =
        Files.writeString(
            dir.resolve("test.csv"),
            """
        1,12,5,200
        3,14,2,200
        """);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TutorialReport.Row row =
        TutorialRun.fileMode(
                recs,
                train,
                test,
                4f,
                2,
                1,
                dir.resolve("out"),
                new PrintStream(buf, true, StandardCharsets.UTF_8))
            .rows()
            .get(0);
    // NDCG/HitRate over the one test user (user 1 hits 12 at rank 0); Coverage over both users'
    // top-2:
    // {12, 11} + {20, 21} = 4 of 6 train items (13 is third in user 3's list and does not count).
    assertThat(row.hitRate()).isEqualTo(1.0);
    assertThat(row.ndcg()).isCloseTo(1.0, within(1e-9));
    assertThat(row.coverage()).isCloseTo(4.0 / 6, within(1e-9));
  }
}
