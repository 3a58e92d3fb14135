/**
 * Measuring a process's live memory for leak tests: V8's heap plus memory
 * outside it that JS objects own (ArrayBuffers, typed-array stores), after a
 * full garbage collection so that only reachable memory is counted.
 */

/** Bytes reachable now: heapUsed + external (external includes ArrayBuffers), after two full GCs. Needs --expose-gc. */
export function liveBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("liveBytes: start node with --expose-gc");
  gc();
  gc(); // a second pass collects what the first one's finalizers released
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Least-squares slope of ys against xs. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}
