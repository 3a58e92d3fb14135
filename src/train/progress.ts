/**
 * A one-line progress bar for terminals (loss, accuracy, samples/s, ETA),
 * redrawn in place at most ~10 times a second. Off a terminal it prints
 * nothing per step; the trainer prints one line per epoch instead.
 */
import { nodeProcess } from "../core/platform.js";
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/** Node's stderr; in a browser the epoch lines go to the console. */
export function defaultProgressStream(): ProgressStream {
  return (nodeProcess()?.stderr as ProgressStream | undefined) ?? { write: (s: string) => console.log(s.replace(/\n$/, "")) };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class ProgressBar {
  private start = performance.now();
  private lastDraw = 0;
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: ProgressStream = defaultProgressStream(),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = this.now();
  }

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Advance by `n` steps of `samples` samples, with the latest figures to show. */
  tick(n: number, samples: number, figures: Record<string, number>): void {
    this.done += n;
    this.samples += samples;
    const t = this.now();
    if (!this.enabled || (t - this.lastDraw < 100 && this.done < this.total)) return;
    this.lastDraw = t;
    this.stream.write(`\r${this.render(t, figures)}\x1b[K`);
  }

  private samples = 0;

  render(t: number, figures: Record<string, number>): string {
    const elapsed = (t - this.start) / 1000;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const rate = elapsed > 0 ? this.samples / elapsed : 0;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
    const figs = Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(4)}`).join("  ");
    return `${this.label} ${bar} ${this.done}/${this.total}  ${figs}  ${Math.round(rate)} samples/s  ETA ${formatDuration(eta)}`;
  }

  /** Clears the bar so the epoch summary line can take its place. */
  finish(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}
