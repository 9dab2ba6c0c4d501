package org.eventgateway.consume;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The backlog gate pauses above its high mark and resumes only below its low mark (hysteresis). */
class BacklogGateTest {
  @Test
  void pausesAbovePauseAtResumesBelowResumeAtAndNeverFlapsBetween() {
    BacklogGate gate = new BacklogGate(1000, 200);
    assertEquals(BacklogGate.Change.NONE, gate.update(0, 1000), "at the threshold: not yet");
    assertEquals(BacklogGate.Change.PAUSE, gate.update(0, 1001));
    int changes = 0;
    for (long backlog = 1001; backlog >= 200; backlog -= 7) {
      changes += gate.update(0, backlog) == BacklogGate.Change.NONE ? 0 : 1;
      changes += gate.update(0, backlog + 500 > 1000 ? 999 : backlog + 500) == BacklogGate.Change.NONE ? 0 : 1;
    }
    assertEquals(0, changes, "between resumeAt and pauseAt nothing changes, whatever the wiggle");
    assertEquals(BacklogGate.Change.RESUME, gate.update(0, 199));
    assertEquals(BacklogGate.Change.NONE, gate.update(0, 900), "below pauseAt again: stays running");
    assertEquals(BacklogGate.Change.NONE, gate.update(1, 5000 - 4001), "partitions are independent");
    assertThrows(IllegalArgumentException.class, () -> new BacklogGate(100, 100));
  }
}
