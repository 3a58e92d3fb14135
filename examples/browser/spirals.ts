/**
 * Runs in a browser page (examples/browser/serve.ts bundles and serves it):
 * trains a small MLP to tell two interleaved spirals apart, the whole step
 * under `jit` on the wasm backend's threads, and prints the progress on the
 * page. The result is also left on `globalThis.spirals` for tests.
 */
import * as fx from "../../src/index.js";

const { nn, optim, losses } = fx;
const STEPS = 600;

/** Two spirals of n points each, as inputs [2n, 2] and integer labels [2n]. */
function spirals(n: number, key: fx.random.Key): { x: fx.Tensor; y: fx.Tensor } {
  const noise = fx.random.normal(key, [2 * n, 2]).mul(0.03).toArray() as number[][];
  const points: number[][] = [], labels: number[] = [];
  for (let arm = 0; arm < 2; arm++) {
    for (let i = 0; i < n; i++) {
      const t = (i / n) * 3 * Math.PI + 0.3, sign = arm === 0 ? 1 : -1;
      const [dx, dy] = noise[arm * n + i]!;
      points.push([(sign * t * Math.cos(t)) / 10 + dx!, (sign * t * Math.sin(t)) / 10 + dy!]);
      labels.push(arm);
    }
  }
  return { x: fx.tensor(points), y: fx.tensor(labels, { dtype: "int32" }) };
}

export async function train(log: (line: string) => void) {
  const hardware = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
  fx.setThreads(Math.max(1, hardware));
  const threads = await fx.threadsReady();
  log(`backend ${fx.getBackend().name}, ${threads} thread(s) ready (cross-origin isolated: ${(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true})`);

  const [kData, kModel] = fx.random.split(fx.random.key(0), 2) as fx.random.Key[];
  const { x, y } = spirals(500, kData!);
  let params = new nn.MLP({ inSize: 2, outSize: 2, widths: [64, 64], key: kModel! });
  const opt = optim.adam(1e-2);
  let state = opt.init(params);
  type Params = typeof params;
  const loss = (p: Params, x: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(p.forward(x), y);
  const step = fx.jit((p: Params, s: typeof state, x: fx.Tensor, y: fx.Tensor) => {
    const [value, grads] = fx.valueAndGrad(loss)(p, x, y);
    const [updates, next] = opt.update(grads, s, p);
    return [optim.applyUpdates(p, updates), next, value] as const;
  });

  const start = performance.now();
  let last = NaN;
  for (let epoch = 1; epoch <= STEPS; epoch++) {
    const [p, s, value] = step(params, state, x, y) as unknown as [Params, typeof state, fx.Tensor];
    [params, state, last] = [p, s, value.item()];
    if (epoch % 50 === 0) log(`step ${epoch}: loss ${last.toFixed(4)}`);
    if (epoch % 25 === 0) await new Promise((r) => setTimeout(r, 0)); // let the page repaint
  }
  const accuracy = fx.mean(fx.equal(fx.argmax(params.forward(x), 1), y).astype("float32")).item();
  const seconds = (performance.now() - start) / 1000;
  log(`accuracy ${(100 * accuracy).toFixed(1)} % after ${STEPS} full-batch steps, ${seconds.toFixed(2)} s`);
  return { threads, loss: last, accuracy, seconds };
}

const page = globalThis as unknown as { document?: { getElementById(id: string): { textContent: string } | null }; spirals?: unknown };
if (page.document) {
  const out = page.document.getElementById("log");
  page.spirals = train((line) => {
    if (out) out.textContent += `${line}\n`;
  });
}
