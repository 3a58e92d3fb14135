/**
 * Notebook 2 of the JAX workshop, in Fluxion: the same digits classifier,
 * now with fx.nn (an Equinox-style module: the model is a pytree) and
 * fx.optim (an Optax-style optimizer: pure init/update). The training loop
 * is still written out, so every piece is visible; fx.train.fit packs the
 * same loop with a progress bar, validation and checkpoints.
 *
 *   npx tsx examples/mnist-nn.ts
 */
import { pathToFileURL } from "node:url";
import * as fx from "../src/index.js";

const { nn, optim, losses } = fx;

export interface RunOptions {
  epochs?: number;
  maxSteps?: number;
  batchSize?: number;
  learningRate?: number;
  log?: (line: string) => void;
}

export function run(opts: RunOptions = {}): { losses: number[]; testAccuracy: number } {
  const { epochs = 5, batchSize = 64, learningRate = 1e-3, log = console.log } = opts;
  const { train, test } = fx.data.mnist({ layout: "flat" });
  let [modelKey, dataKey] = fx.random.split(fx.random.key(0)) as [fx.Tensor, fx.Tensor];

  let model = new nn.MLP({ inSize: 784, outSize: 10, widths: [128, 64], key: modelKey });
  const optimizer = optim.adam(learningRate);
  let optState = optimizer.init(model);

  const lossFn = (m: fx.nn.MLP, x: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(m.forward(x), y);
  const step = fx.jit((m: fx.nn.MLP, state: unknown[], x: fx.Tensor, y: fx.Tensor): [fx.nn.MLP, unknown[], fx.Tensor] => {
    const [value, grads] = fx.valueAndGrad(lossFn)(m, x, y) as [fx.Tensor, fx.nn.MLP];
    const [updates, next] = optimizer.update(grads, state, m);
    return [optim.applyUpdates(m, updates), next, value];
  });

  const history: number[] = [];
  outer: for (let epoch = 1; epoch <= epochs; epoch++) {
    let sub: fx.Tensor;
    [dataKey, sub] = fx.random.split(dataKey) as [fx.Tensor, fx.Tensor];
    for (const [x, y] of train.shuffle(sub).batch(batchSize, { dropRemainder: true })) {
      let value: fx.Tensor;
      [model, optState, value] = step(model, optState, x, y);
      history.push(value.item() as number);
      if (opts.maxSteps !== undefined && history.length >= opts.maxSteps) break outer;
    }
    const recent = history.slice(-50);
    log(`epoch ${epoch}: mean loss of the last ${recent.length} steps ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}`);
  }
  const testAccuracy = fx.train.evaluate(model, test).accuracy;
  log(`test accuracy ${(testAccuracy * 100).toFixed(2)}% on ${test.length} held-out digits`);
  return { losses: history, testAccuracy };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--epochs");
  run({ epochs: i > 0 ? Number(process.argv[i + 1]) : 5 });
}
