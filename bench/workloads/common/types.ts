/** What every training workload returns, and the options it is run with. */

/** One workload run by one peer: `samples` are the per-window rates; `figure` is their median. */
export interface WorkloadResult {
  name: string;
  peer: string;
  figure: number;
  unit: string;
  samples: number[];
  /** Samples per CPU-second of the whole process (all threads) in each window, and their median: less disturbed by other load than wall time. */
  cpuSamples?: number[];
  cpuFigure?: number;
  /** Data source, steps actually timed, reduced-run reasons and the like. */
  notes: string[];
  /** Test accuracy after each of the first epochs (full B2 runs only). */
  accuracy?: { epoch: number; value: number }[];
  /** Filled in by the child process that ran the workload: process.resourceUsage().maxRSS in MiB. */
  peakRssMiB?: number;
  /** Resident memory once data, model and runtime are loaded, before the first step (MiB). */
  rssBeforeTrainingMiB?: number;
}

export interface WorkloadOptions {
  /** Timed steps in all (split into `windows` equal windows, one rate sample each). */
  steps: number;
  /** Untimed steps first (compilation, allocation, caches). */
  warmup: number;
  /** Number of timing windows the timed steps are split into. */
  windows: number;
  /** B2 only: train whole epochs (60,000 samples each) and report test accuracy after 1 and 3. */
  full: boolean;
  /**
   * Seconds the timed steps may take. When the last warm-up step says the
   * planned steps would take longer, fewer are timed (at least 3) and a note
   * says so; full runs that would not fit fall back to timed steps. 0 = no limit.
   */
  budgetSeconds: number;
  /** Train on the first n training examples only (quick full-mode checks); default all 60,000. */
  trainExamples?: number;
  /** Fluxion only: backend name ("reference", "wasm") and thread count when the backend has threads. */
  backend?: string;
  threads?: number;
}

export type Workload = (opts: WorkloadOptions) => Promise<WorkloadResult>;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
