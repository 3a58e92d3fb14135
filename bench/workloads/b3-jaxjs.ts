/**
 * B3 CNN training in jax-js (wasm device): conv3x3 1→32 ReLU → conv3x3 32→64
 * ReLU (valid) → maxpool 2×2 → dense 9216→128 ReLU → dense 128→10, softmax
 * cross-entropy, Adam 1e-3 written by hand, batch 64; the whole step under `jit`.
 */
import { loadFashionMnist } from "./common/fashion-mnist.js";
import { adamScalars, adamUpdate, crossEntropy, loadJax, torchUniform, zerosLike, type JArray, type Params } from "./common/jaxjs.js";
import { runTraining, type Trainer } from "./common/train-loop.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./common/types.js";

const BATCH = 64;

export async function b3Jaxjs(opts: WorkloadOptions): Promise<WorkloadResult> {
  const jax = await loadJax();
  const { numpy: np, nn, lax, random, tree } = jax;
  const data = loadFashionMnist();

  const shapes: [string, number[], number][] = [
    ["c1", [32, 1, 3, 3], 9], ["c1b", [32, 1, 1], 9],
    ["c2", [64, 32, 3, 3], 288], ["c2b", [64, 1, 1], 288],
    ["d1", [9216, 128], 9216], ["d1b", [128], 9216],
    ["d2", [128, 10], 128], ["d2b", [10], 128],
  ];
  const keys = random.split(random.key(0), shapes.length);
  let params: Params = Object.fromEntries(shapes.map(([name, shape, fanIn], i) => [name, torchUniform(jax, keys.ref.slice(i), shape, fanIn)]));
  keys.dispose();
  let m = zerosLike(jax, params), v = zerosLike(jax, params);

  const forward = (p: Params, x: JArray): JArray => {
    const h1 = nn.relu(lax.conv(x, p.c1!, [1, 1], "VALID").add(p.c1b!));
    const h2 = nn.relu(lax.conv(h1, p.c2!, [1, 1], "VALID").add(p.c2b!)); // [N, 64, 24, 24]
    const pooled = h2.reshape([-1, 64, 12, 2, 12, 2]).max([3, 5]).reshape([-1, 9216]);
    const h3 = nn.relu(np.dot(pooled, p.d1!).add(p.d1b!));
    return np.dot(h3, p.d2!).add(p.d2b!);
  };
  const loss = (p: Params, x: JArray, y: JArray) => crossEntropy(jax, forward(p, x), y, 10);
  const step = jax.jit((p: Params, m: Params, v: Params, x: JArray, y: JArray, lrT: JArray, cT: JArray) => {
    const [lossValue, grads] = jax.valueAndGrad(loss)(tree.ref(p), x, y);
    lossValue.dispose();
    return adamUpdate(jax, p, grads as Params, m, v, lrT, cT);
  });

  let t = 0;
  const trainer: Trainer = {
    async step(x, y) {
      const [lrT, cT] = adamScalars(jax, 1e-3, ++t);
      [params, m, v] = step(params, m, v, np.array(x).reshape([BATCH, 1, 28, 28]), np.array(y, { dtype: np.int32 }), lrT, cT);
      // jax-js queues work lazily; a loop that never waits holds every queued step's buffers
      // (~1.8 GB after 94 B2 steps), so wait each step as a loop reading its loss would.
      await jax.blockUntilReady(params);
    },
    async sync() {
      await jax.blockUntilReady(params); // borrows: waits for the queued steps, consumes nothing
    },
  };
  const { samples, cpuSamples, notes, rssBeforeTrainingMiB } = await runTraining(trainer, data, BATCH, { ...opts, full: false });
  notes.push("wasm device, single-threaded in Node; Adam by hand under jit; waits for each step; max pool as reshape + max");
  return { name: "B3 CNN training", peer: "jax-js-wasm", figure: median(samples), unit: "samples/s", samples, cpuFigure: median(cpuSamples), cpuSamples, notes, rssBeforeTrainingMiB };
}
