/**
 * A small shared training loop for the classification examples: Adam with
 * gradient clipping, a jitted step, shuffled minibatches, test accuracy
 * measured every few hundred steps.
 */
import * as fx from "../../src/index.js";
import { shuffled } from "./fortunes.js";

const { optim, losses } = fx;

export interface ClassifierRun {
  name: string;
  params: number;
  steps: number;
  seconds: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Test accuracy after each evaluation interval. */
  curve: { step: number; accuracy: number }[];
}

export interface TrainSpec<M, X> {
  name: string;
  model: M;
  /** Logits [B, classes] for a batch of inputs. */
  logits: (model: M, x: X) => fx.Tensor;
  /** The inputs of examples `idx`, and their int32 labels. */
  batch: (split: "train" | "test", idx: number[]) => [X, fx.Tensor];
  trainSize: number;
  testSize: number;
  steps: number;
  batchSize?: number;
  lr?: number;
  evalEvery?: number;
  seed?: number;
}

function accuracyOf<M, X>(spec: TrainSpec<M, X>, model: M, split: "train" | "test", predict: (m: M, x: X) => fx.Tensor, limit = 2048): number {
  const n = Math.min(limit, split === "train" ? spec.trainSize : spec.testSize);
  const bs = 256;
  let right = 0;
  for (let i = 0; i < n; i += bs) {
    const idx = Array.from({ length: Math.min(bs, n - i) }, (_, k) => i + k);
    const [x, y] = spec.batch(split, idx);
    right += fx.sum(fx.equal(fx.argmax(predict(model, x), 1), y)).item() as number;
  }
  return right / n;
}

export function trainClassifier<M, X>(spec: TrainSpec<M, X>): ClassifierRun {
  const bs = spec.batchSize ?? 64, every = spec.evalEvery ?? 100;
  const opt = optim.chain(optim.clipByGlobalNorm(1), optim.adam(spec.lr ?? 3e-3));
  let model = spec.model;
  let state = opt.init(model);
  const loss = (m: M, x: X, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(spec.logits(m, x), y);
  const step = fx.jit((m: M, s: unknown[], x: X, y: fx.Tensor) => {
    const [l, g] = fx.valueAndGrad(loss)(m, x, y);
    const [u, s2] = opt.update(g, s, m);
    return [optim.applyUpdates(m, u), s2, l] as const;
  });
  const predict = fx.jit(spec.logits);
  let epoch = 0;
  let order: number[] = [];
  const curve: ClassifierRun["curve"] = [];
  const t0 = performance.now();
  let evalTime = 0;
  for (let i = 1; i <= spec.steps; i++) {
    if (order.length < bs) order = shuffled(Array.from({ length: spec.trainSize }, (_, k) => k), (spec.seed ?? 3) * 1000 + epoch++);
    const [x, y] = spec.batch("train", order.splice(0, bs));
    let l: fx.Tensor;
    [model, state, l] = step(model, state, x, y) as unknown as [M, unknown[], fx.Tensor];
    if (i % every === 0 || i === spec.steps) {
      const e0 = performance.now();
      const acc = accuracyOf(spec, model, "test", predict);
      evalTime += performance.now() - e0;
      curve.push({ step: i, accuracy: acc });
      console.log(`  ${spec.name}: step ${i}/${spec.steps}  loss ${l.item().toFixed(3)}  test accuracy ${(100 * acc).toFixed(1)}%`);
    }
  }
  const seconds = (performance.now() - t0 - evalTime) / 1000;
  return {
    name: spec.name,
    params: fx.nn.countParams(model as never),
    steps: spec.steps,
    seconds,
    trainAccuracy: accuracyOf(spec, model, "train", predict),
    testAccuracy: accuracyOf(spec, model, "test", predict, spec.testSize),
    curve,
  };
}

/** Test accuracy against training steps, one line per run, written as an SVG. */
export async function saveAccuracyChart(runs: ClassifierRun[], title: string, path: string): Promise<void> {
  const { mkdirSync, writeFileSync } = await import("node:fs");
  const { dirname } = await import("node:path");
  const series: Record<string, number[]> = {};
  for (const r of runs) series[r.name] = r.curve.map((c) => 100 * c.accuracy);
  const chart = fx.viz.line(series, { title, x: runs[0]!.curve.map((c) => c.step), xTitle: "training step", yTitle: "test accuracy (%)", width: 520, height: 300 });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await chart.toSVG());
  console.log(`wrote ${path}`);
}
