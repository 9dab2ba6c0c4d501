package org.eventgateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The house rules a newcomer relies on, checked on the sources: no Java file over 400 lines (tests
 * and the benchmark included), and every top-level type opens with a Javadoc saying what it does.
 */
class HouseRulesTest {
  static final int MAX_LINES = 400;
  private static final Pattern TYPE = Pattern.compile(
    "^(?:public |final |abstract |sealed |non-sealed )*(?:class|enum|record|interface|@interface) ", Pattern.MULTILINE);
  private static final Pattern HEADER_LINE = Pattern.compile("^(?:package|import) [^;]+;", Pattern.MULTILINE);

  @Test
  void noSourceFileIsOverTheLimit() throws IOException {
    List<String> tooLong = new ArrayList<>();
    for (Path file : sources()) {
      long lines = Files.readAllLines(file).size();
      if (lines > MAX_LINES) {
        tooLong.add(file + " (" + lines + " lines)");
      }
    }
    assertEquals(List.of(), tooLong, "files over " + MAX_LINES + " lines");
  }

  @Test
  void everyTypeSaysWhatItDoes() throws IOException {
    List<String> silent = new ArrayList<>();
    for (Path file : sources()) {
      if (!opensWithJavadoc(Files.readString(file))) {
        silent.add(file.toString());
      }
    }
    assertEquals(List.of(), silent, "top-level types without a Javadoc");
  }

  @Test
  void theJavadocCheckCatchesASilentClass() {
    assertTrue(opensWithJavadoc("package a;\n\n/** Does one thing. */\n@Deprecated\npublic final class A {}\n"));
    assertTrue(!opensWithJavadoc("package a;\n\nimport b.C;\n\npublic final class A {}\n"));
    assertTrue(!opensWithJavadoc("package a;\n\n// a line comment is not a Javadoc\nclass A {}\n"));
  }

  /**
   * Every Kafka client the gateway opens starts from KafkaConfig.clientProperties (the broker and kafka.common):
   * a client that names the broker itself would connect without the security settings. (The benchmark's raw
   * baseline talks to its own embedded broker and is not the gateway.)
   */
  @Test
  void onlyTheKafkaConfigNamesTheBroker() throws IOException {
    List<String> own = new ArrayList<>();
    for (Path file : sources()) {
      String path = file.toString().replace('\\', '/');
      if (path.contains("verticles/src/main/java/org/eventgateway/") && !path.contains("/org/eventgateway/config/")
        && !path.contains("/infra/EmbeddedKafka") && Files.readString(file).contains("\"bootstrap.servers\"")) {
        own.add(path);
      }
    }
    assertEquals(List.of(), own, "Kafka clients built without kafka.common");
  }

  /** A Javadoc between the last package/import line and the first top-level type (annotations may follow it). */
  static boolean opensWithJavadoc(String source) {
    Matcher type = TYPE.matcher(source);
    if (!type.find()) {
      return false;
    }
    Matcher header = HEADER_LINE.matcher(source.substring(0, type.start()));
    int afterHeader = 0;
    while (header.find()) {
      afterHeader = header.end();
    }
    return source.substring(afterHeader, type.start()).contains("/**");
  }

  static List<Path> sources() throws IOException {
    Path root = repoRoot();
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("verticles/src", "bench/src")) {
      Path d = root.resolve(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> walk = Files.walk(d)) {
          walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
      }
    }
    assertTrue(files.size() > 50, "found the sources under " + root);
    return files;
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("verticles/src"))) {
      dir = dir.getParent();
    }
    assertTrue(dir != null, "the repository root (with verticles/src) above " + Path.of("").toAbsolutePath());
    return dir;
  }
}
