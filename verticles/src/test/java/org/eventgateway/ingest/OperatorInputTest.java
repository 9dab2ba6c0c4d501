package org.eventgateway.ingest;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator schemas (config/schemas/operator) and the range rules, without a broker. */
class OperatorInputTest {
  private static OperatorInput schema(String path) throws Exception {
    return OperatorInput.of(path, new JsonObject(Files.readString(Path.of(path))));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"offsets\":\"x\"}                  | offsets",
    "{\"ids\":[null,1,{}]}                | ids[0]",
    "{\"ids\":[\"a\",1]}                  | ids[1]",
    "{\"offsets\":[-1]}                   | offsets[0]",
    "{\"offsets\":[1.5]}                  | offsets[0]",
    "{\"offsets\":[]}                     | offsets",
    "{\"all\":\"yes\"}                    | all",
    "{\"all\":true,\"bogus\":1}           | bogus",
    "{\"all\":true,\"maxRedrives\":-1}    | maxRedrives",
    "{\"all\":true,\"dryRun\":1}          | dryRun",
    "{\"offsets\":[99999999999999999999999]} | offsets[0]",
  })
  void redriveRejects(String body, String field) throws Exception {
    RequestException e = assertThrows(RequestException.class, () -> schema(OperatorInput.REDRIVE).validate(new JsonObject(body)));
    assertEquals(422, e.status());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"mode\":\"nope\"}                            | mode",
    "{\"from\":{\"timestamp\":\"yesterday\"}}       | from.timestamp",
    "{\"from\":{\"timestamp\":1.5}}                 | from.timestamp",
    "{\"from\":{\"offsets\":{\"0\":-5}}}            | from.offsets.0",
    "{\"from\":{\"offsets\":{\"x\":0}}}             | from.offsets",
    "{\"from\":5}                                   | from",
    "{\"maxEvents\":0}                              | maxEvents",
    "{\"mode\":\"apply\",\"pauseGroup\":\"yes\"}    | pauseGroup",
    "{\"mode\":\"shadow\",\"extra\":true}           | extra",
    "{\"from\":{\"timestamp\":99999999999999999999999}} | from.timestamp",
    "{\"to\":{\"offsets\":{\"0\":99999999999999999999999}}} | to.offsets.0",
    "{\"maxEvents\":99999999999999999999999}      | maxEvents",
  })
  void replayRejects(String body, String field) throws Exception {
    RequestException e = assertThrows(RequestException.class, () -> schema(OperatorInput.REPLAY).validate(new JsonObject(body)));
    assertEquals(422, e.status());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"all\":true,\"dryRun\":true,\"maxRedrives\":1}",
    "{\"offsets\":[0,7]}",
    "{\"ids\":[\"a\",\"b\"]}",
    "{}",
  })
  void redriveAccepts(String body) throws Exception {
    OperatorInput redrive = schema(OperatorInput.REDRIVE);
    assertDoesNotThrow(() -> redrive.validate(new JsonObject(body)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"mode\":\"shadow\",\"from\":{\"timestamp\":0},\"to\":{\"offsets\":{\"0\":10,\"5\":3}},\"maxEvents\":10}",
    "{\"mode\":\"apply\",\"pauseGroup\":true,\"from\":{\"offsets\":{\"1\":0}}}",
    "{}",
  })
  void replayAccepts(String body) throws Exception {
    OperatorInput replay = schema(OperatorInput.REPLAY);
    assertDoesNotThrow(() -> replay.validate(new JsonObject(body)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "{\"from\":{\"timestamp\":2000},\"to\":{\"timestamp\":1000}}                 | to.timestamp",
    "{\"from\":{\"offsets\":{\"0\":10}},\"to\":{\"offsets\":{\"0\":5}}}          | to.offsets.0",
  })
  void toBeforeFromIsRefused(String body, String field) {
    RequestException e = assertThrows(RequestException.class, () -> OperatorInput.checkReplayRange(new JsonObject(body)));
    assertEquals(422, e.status());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }
}
