/**
 * B2 MLP training in Fluxion: 784-512-256-10 ReLU, softmax cross-entropy,
 * Adam 1e-3, batch 128; the whole step (forward, backward, Adam) under `jit`.
 */
import * as fx from "../../src/index.js";
import { loadFashionMnist } from "./common/fashion-mnist.js";
import { useFluxionBackend } from "./common/fluxion-setup.js";
import { runTraining, type Trainer } from "./common/train-loop.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./common/types.js";

const { nn, optim, losses } = fx;
const BATCH = 128;

export async function b2Fluxion(opts: WorkloadOptions): Promise<WorkloadResult> {
  const peer = useFluxionBackend(opts);
  const data = loadFashionMnist();
  let params = new nn.MLP({ inSize: 784, outSize: 10, widths: [512, 256], key: fx.random.key(0) });
  const opt = optim.adam(1e-3);
  let state = opt.init(params);
  type Params = typeof params;

  const lossFn = (p: Params, x: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(p.forward(x), y);
  const step = fx.jit((p: Params, s: unknown, x: fx.Tensor, y: fx.Tensor) => {
    const [loss, grads] = fx.valueAndGrad(lossFn)(p, x, y);
    const [updates, s2] = opt.update(grads, s as typeof state, p);
    return [optim.applyUpdates(p, updates), s2, loss] as const;
  }, { donateArgnums: [0, 1] }); // new parameters and Adam state written over the old, as JAX's donate_argnums
  const predict = fx.jit((p: Params, x: fx.Tensor) => fx.argmax(p.forward(x), 1));

  const trainer: Trainer = {
    step(x, y) {
      const out = step(params, state, fx.tensor(x, { shape: [BATCH, 784] }), fx.tensor(y)) as unknown as [Params, typeof state, fx.Tensor];
      [params, state] = out;
    },
    sync() {},
    predict(x, n) {
      return predict(params, fx.tensor(x, { shape: [n, 784] })).data() as Int32Array;
    },
  };
  const { samples, cpuSamples, notes, accuracy, rssBeforeTrainingMiB } = await runTraining(trainer, data, BATCH, opts);
  notes.push("jit of the whole step");
  return { name: "B2 MLP training", peer, figure: median(samples), unit: "samples/s", samples, cpuFigure: median(cpuSamples), cpuSamples, notes, accuracy, rssBeforeTrainingMiB };
}
