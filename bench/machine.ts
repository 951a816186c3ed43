/**
 * The machine a benchmark ran on, recorded next to its numbers: results from different machines, or
 * from a machine busy with other work, are not comparable.
 */
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  /** Logical CPUs the process may use, as `nproc` prints (`os.availableParallelism()`). */
  cpus: number;
  /** CPU model as `/proc/cpuinfo` reports it (through `os.cpus()`). */
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages at the start. A value above `cpus` means other work competed. */
  loadAverage: number[];
}

export function describeMachine(): MachineInfo {
  const cores = cpus();
  return {
    cpus: availableParallelism(),
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

export function formatMachine(machine: MachineInfo): string {
  return (
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
    `${machine.platform}, load average ${machine.loadAverage.join(" ")}`
  );
}
