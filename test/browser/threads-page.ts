/**
 * Runs in the browser (bundled by test/browser-threads.test.ts): the same
 * computations on the wasm backend with the threads asked for and on the
 * reference backend, reporting how far apart they are and how much work the
 * workers did.
 */
import * as fx from "../../src/index.js";
import { getRuntime } from "../../src/backend/wasm/runtime.js";

function inputs() {
  const [k1, k2, k3, k4] = fx.random.split(fx.random.key(7), 4) as fx.random.Key[];
  return {
    a: fx.random.normal(k1!, [203, 301]),
    b: fx.random.normal(k2!, [301, 157]),
    a64: fx.random.normal(k1!, [97, 131], { dtype: "float64" }),
    b64: fx.random.normal(k2!, [131, 65], { dtype: "float64" }),
    x: fx.random.normal(k3!, [8, 3, 17, 17]),
    w: fx.random.normal(k4!, [6, 3, 3, 3]).mul(0.3),
  };
}

type Inputs = ReturnType<typeof inputs>;

function compute({ a, b, a64, b64, x, w }: Inputs): number[][] {
  const loss = (w: fx.Tensor, x: fx.Tensor) => fx.relu(fx.conv2d(x, w, { padding: 1 })).square().mean();
  const gradW = fx.jit(fx.grad(loss))(w, x) as fx.Tensor;
  return [fx.matmul(a, b), fx.matmul(a64, b64), gradW].map((t) => Array.from(t.data(), Number));
}

function maxRelativeGap(xs: number[], ys: number[]): number {
  if (xs.length !== ys.length) return Infinity;
  let gap = 0;
  for (let i = 0; i < xs.length; i++) gap = Math.max(gap, Math.abs(xs[i]! - ys[i]!) / (1 + Math.abs(ys[i]!)));
  return gap;
}

/** What reading a file does in a page: a PlatformError naming the operation. */
function fileError(): string {
  try {
    fx.io.loadNpy("weights.npy");
    return "no error";
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

export async function runThreaded(threads: number) {
  fx.setBackend("reference");
  const expected = compute(inputs());
  fx.setBackend("wasm");
  fx.setThreads(threads);
  const ready = await fx.threadsReady(20_000);
  const got = compute(inputs());
  const pool = getRuntime().pool;
  return {
    isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    threads: fx.getThreads(),
    ready,
    workerHandOffs: Array.from({ length: ready - 1 }, (_, i) => pool.completed(i + 1)),
    gaps: got.map((g, i) => maxRelativeGap(g, expected[i]!)),
    fileError: fileError(),
  };
}

/** The same run inside a dedicated Worker made from this script (Fluxion off the page's main thread). */
export function runThreadedInWorker(threads: number): Promise<Awaited<ReturnType<typeof runThreaded>>> {
  const self = globalThis as unknown as { Worker: new (url: string, opts: { type: "module" }) => WorkerLike; location: { href: string } };
  const worker = new self.Worker(new URL("/page.js", self.location.href).href, { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data as Awaited<ReturnType<typeof runThreaded>>);
    worker.onerror = (e) => reject(new Error(String((e as { message?: string }).message ?? e)));
    worker.postMessage(threads);
  });
}

interface WorkerLike {
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  postMessage(data: unknown): void;
}

const scope = globalThis as unknown as { document?: unknown; onmessage?: (e: { data: number }) => void; postMessage?: (data: unknown) => void };
if (scope.document === undefined) {
  // Running as a Worker: do the run asked for and send the report back.
  scope.onmessage = async (e) => scope.postMessage!(await runThreaded(e.data));
} else {
  Object.assign(globalThis, { runThreaded, runThreadedInWorker });
}
