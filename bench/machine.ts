/**
 * The machine a benchmark ran on, recorded next to its numbers: results from different machines, or
 * from a machine busy with other work, are not comparable.
 */
import { cpus, totalmem } from "node:os";

export interface MachineInfo {
  /** Logical CPUs the process may use (`nproc`). */
  cpus: number;
  /** CPU model as `/proc/cpuinfo` reports it (through `os.cpus()`). */
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function describeMachine(): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function formatMachine(machine: MachineInfo): string {
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`;
}
