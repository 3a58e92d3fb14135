/**
 * CPU time the hypervisor gave to other guests ("steal" in /proc/stat): on a
 * shared virtual machine it is the largest source of run-to-run variation
 * (27–39 % of the time during one B2 run on this host, under 3 % at other
 * times), so each benchmark job reports it beside its figures.
 */
import { existsSync, readFileSync } from "node:fs";

export interface CpuTimes {
  steal: number;
  total: number;
}

/** The machine-wide CPU counters (all cores, in clock ticks), or null without /proc/stat. */
export function cpuTimes(): CpuTimes | null {
  if (!existsSync("/proc/stat")) return null;
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((a, b) => a + b, 0) };
}

/** The share of CPU time stolen between two readings, or null. */
export function stealShare(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return (after.steal - before.steal) / (after.total - before.total);
}
