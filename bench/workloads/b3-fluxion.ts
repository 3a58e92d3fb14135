/**
 * B3 CNN training in Fluxion: 28×28×1 → conv3x3 1→32 ReLU → conv3x3 32→64 ReLU
 * (valid) → maxpool 2×2 → dense 9216→128 ReLU → dense 128→10, softmax
 * cross-entropy, Adam 1e-3, batch 64; the whole step under `jit`.
 */
import * as fx from "../../src/index.js";
import { loadFashionMnist } from "./common/fashion-mnist.js";
import { useFluxionBackend } from "./common/fluxion-setup.js";
import { runTraining, type Trainer } from "./common/train-loop.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./common/types.js";

const { nn, optim, losses } = fx;
const BATCH = 64;

export async function b3Fluxion(opts: WorkloadOptions): Promise<WorkloadResult> {
  const peer = useFluxionBackend(opts);
  const data = loadFashionMnist();
  const [k1, k2, k3, k4] = fx.random.split(fx.random.key(0), 4);
  let params = new nn.Sequential([
    new nn.Conv2d(1, 32, 3, { key: k1! }), nn.relu,
    new nn.Conv2d(32, 64, 3, { key: k2! }), nn.relu,
    new nn.MaxPool2d(2), new nn.Flatten(),
    new nn.Linear(9216, 128, { key: k3! }), nn.relu,
    new nn.Linear(128, 10, { key: k4! }),
  ]);
  const opt = optim.adam(1e-3);
  let state = opt.init(params);
  type Params = typeof params;

  const lossFn = (p: Params, x: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(p.forward(x), y);
  const step = fx.jit((p: Params, s: unknown, x: fx.Tensor, y: fx.Tensor) => {
    const [loss, grads] = fx.valueAndGrad(lossFn)(p, x, y);
    const [updates, s2] = opt.update(grads, s as typeof state, p);
    return [optim.applyUpdates(p, updates), s2, loss] as const;
  }, { donateArgnums: [0, 1] }); // new parameters and Adam state written over the old, as JAX's donate_argnums

  const trainer: Trainer = {
    step(x, y) {
      const out = step(params, state, fx.tensor(x, { shape: [BATCH, 1, 28, 28] }), fx.tensor(y)) as unknown as [Params, typeof state, fx.Tensor];
      [params, state] = out;
    },
    sync() {},
  };
  const { samples, cpuSamples, notes, rssBeforeTrainingMiB } = await runTraining(trainer, data, BATCH, { ...opts, full: false });
  notes.push("jit of the whole step");
  return { name: "B3 CNN training", peer, figure: median(samples), unit: "samples/s", samples, cpuFigure: median(cpuSamples), cpuSamples, notes, rssBeforeTrainingMiB };
}
