/** Timing helpers for the benchmarks: repeated runs, medians and spreads. */

export interface Sample {
  /** Per-run values (a rate: bigger is better). */
  values: number[];
  median: number;
  min: number;
  max: number;
  /**
   * Median of work per CPU-second of this process (all its threads). On a
   * shared, overloaded machine wall-clock rates mostly measure the scheduler;
   * this one measures the code. For 2 threads it is per CPU-second, not per core.
   */
  perCpuSecond?: number;
}

export function summarize(values: number[]): Sample {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { values, median, min: s[0]!, max: s[s.length - 1]! };
}

/**
 * Runs `fn` `warmup` times, then until `minRuns` runs and `budgetMs` are both
 * reached (or `maxRuns`), and returns `work / seconds` for each timed run.
 */
export async function measure(
  fn: () => void | Promise<void>,
  work: number,
  opts: { warmup?: number; minRuns?: number; maxRuns?: number; budgetMs?: number } = {},
): Promise<Sample> {
  const { warmup = 1, minRuns = 3, maxRuns = 30, budgetMs = 2000 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const values: number[] = [];
  const perCpu: number[] = [];
  const start = performance.now();
  while (values.length < maxRuns && (values.length < minRuns || performance.now() - start < budgetMs)) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    values.push(work / ((performance.now() - t) / 1000));
    const used = process.cpuUsage(c);
    perCpu.push(work / ((used.user + used.system) / 1e6));
  }
  return { ...summarize(values), perCpuSecond: summarize(perCpu).median };
}

export function fmt(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return "—";
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (Math.abs(x) >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(digits);
}

/** "median [min–max]". */
export function fmtSample(s: Sample | null, digits = 1): string {
  return s ? `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]` : "—";
}
