package org.eventgateway.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time, not wall time, read from /proc and the JVM: what a path costs whatever else (or the
 * hypervisor) takes the cores. Every reading is 0 where it cannot be taken.
 */
final class CpuClock {
  private CpuClock() {}

  /** A process's CPU time in ns: all its threads, and its JIT compiler threads apart. */
  record ProcessCpu(long total, long jit) {
    static final ProcessCpu NONE = new ProcessCpu(0, 0);

    ProcessCpu since(ProcessCpu start) {
      return new ProcessCpu(total - start.total, jit - start.jit);
    }
  }

  /** This JVM's CPU time in ns. */
  static long self() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * The gateway's CPU time, NONE without one. The JIT's share is reported apart: a short run still
   * compiles (a profile of the produce stages found the compiler threads at 40–50 % of the
   * gateway's samples), and that is not what a record costs at steady state.
   */
  static ProcessCpu of(GatewayProcess gateway) {
    return gateway == null ? ProcessCpu.NONE : of(gateway.pid());
  }

  static ProcessCpu of(long pid) {
    try {
      long total = ticks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
      long jit = 0;
      try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
        for (Path task : tasks.toList()) {
          try {
            String stat = Files.readString(task.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
              jit += ticks(stat);
            }
          } catch (IOException gone) {
            // the thread ended between the listing and the read
          }
        }
      }
      return new ProcessCpu(total, jit);
    } catch (IOException | RuntimeException gone) {
      return ProcessCpu.NONE;
    }
  }

  /** CPU time of every PostgreSQL server process on this machine, in ns (a local server only). */
  static long postgres() {
    long sum = 0;
    try (var processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          String stat = Files.readString(process.resolve("stat"));
          if (stat.contains("(postgres)")) {
            sum += ticks(stat);
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return sum;
  }

  /** utime + stime of a /proc stat line, in ns (100 Hz ticks). */
  private static long ticks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
  }

  /** {steal, total} jiffies of the whole machine, from /proc/stat's cpu line. */
  static long[] stealAndTotal() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      return new long[] {fields.length > 8 ? Long.parseLong(fields[8]) : 0, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  static long memTotalMb() {
    try {
      return Files.readString(Path.of("/proc/meminfo")).lines().filter(l -> l.startsWith("MemTotal"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(0);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
