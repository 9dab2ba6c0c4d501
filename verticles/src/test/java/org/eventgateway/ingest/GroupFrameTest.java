package org.eventgateway.ingest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client frames of /ws/groups/{group}, as hostile input: each bad one is refused with a reason. */
class GroupFrameTest {
  private static String refused(String text) {
    return assertThrows(IllegalArgumentException.class, () -> GroupFrame.parse(text, 100)).getMessage();
  }

  @Test
  void goodFramesAreRead() {
    assertEquals(7, GroupFrame.parse("{\"credit\":7}", 100).credit());
    assertEquals(List.of("a", "b"), GroupFrame.parse("{\"ack\":[\"a\",\"b\"]}", 100).ack());
    GroupFrame.Nack nack = GroupFrame.parse("{\"nack\":{\"id\":\"a\",\"reason\":\"no such sku\",\"retry\":false}}", 100).nack();
    assertEquals(new GroupFrame.Nack("a", "no such sku", false), nack);
  }

  @Test
  void badFramesAreRefusedWithAReason() {
    assertTrue(refused("not json").contains("not a JSON object"));
    assertTrue(refused("[1]").contains("not a JSON object"));
    assertTrue(refused("{\"credit\":5,\"ack\":[\"a\"]}").contains("exactly one field"));
    assertTrue(refused("{}").contains("exactly one field"));
    assertTrue(refused("{\"hello\":1}").contains("unknown field 'hello'"));
    assertTrue(refused("{\"credit\":0}").contains("from 1 to remote.maxCredit=100"));
    assertTrue(refused("{\"credit\":-3}").contains("from 1"));
    assertTrue(refused("{\"credit\":101}").contains("from 1"));
    assertTrue(refused("{\"credit\":99999999999999}").contains("from 1"));
    assertTrue(refused("{\"credit\":2.5}").contains("whole number"));
    assertTrue(refused("{\"credit\":\"5\"}").contains("whole number"));
    assertTrue(refused("{\"ack\":[]}").contains("1 to 100"));
    assertTrue(refused("{\"ack\":\"a\"}").contains("array"));
    assertTrue(refused("{\"ack\":[1]}").contains("non-empty strings"));
    assertTrue(refused("{\"nack\":{\"id\":\"a\",\"retry\":true}}").contains("reason"));
    assertTrue(refused("{\"nack\":{\"id\":\"a\",\"reason\":\"x\"}}").contains("retry"));
    assertTrue(refused("{\"nack\":{\"id\":\"a\",\"reason\":\"x\",\"retry\":\"yes\"}}").contains("retry"));
    assertTrue(refused("{\"nack\":{\"reason\":\"x\",\"retry\":true}}").contains("nack.id"));
    assertTrue(refused("{\"nack\":{\"id\":\"a\",\"reason\":\"x\",\"retry\":true,\"extra\":1}}").contains("nack.extra"));
    assertTrue(refused("{\"nack\":{\"id\":\"a\",\"reason\":\"" + "x".repeat(1001) + "\",\"retry\":true}}").contains("1000"));
  }
}
