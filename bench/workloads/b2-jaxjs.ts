/**
 * B2 MLP training in jax-js (wasm device): 784-512-256-10 ReLU, softmax
 * cross-entropy, Adam 1e-3 written by hand, batch 128; the whole step under `jit`.
 */
import { loadFashionMnist } from "./common/fashion-mnist.js";
import { adamScalars, adamUpdate, crossEntropy, loadJax, torchUniform, zerosLike, type JArray, type Params } from "./common/jaxjs.js";
import { runTraining, type Trainer } from "./common/train-loop.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./common/types.js";

const BATCH = 128;
const SIZES = [784, 512, 256, 10];

export async function b2Jaxjs(opts: WorkloadOptions): Promise<WorkloadResult> {
  const jax = await loadJax();
  const { numpy: np, nn, random, tree } = jax;
  const data = loadFashionMnist();

  const keys = random.split(random.key(0), 6);
  let params: Params = {};
  for (let i = 0; i < 3; i++) {
    const [kw, kb] = [keys.ref.slice(2 * i), keys.ref.slice(2 * i + 1)];
    params[`w${i}`] = torchUniform(jax, kw, [SIZES[i]!, SIZES[i + 1]!], SIZES[i]!);
    params[`b${i}`] = torchUniform(jax, kb, [SIZES[i + 1]!], SIZES[i]!);
  }
  keys.dispose();
  let m = zerosLike(jax, params), v = zerosLike(jax, params);

  const forward = (p: Params, x: JArray): JArray => {
    const h0 = nn.relu(np.dot(x, p.w0!).add(p.b0!));
    const h1 = nn.relu(np.dot(h0, p.w1!).add(p.b1!));
    return np.dot(h1, p.w2!).add(p.b2!);
  };
  const loss = (p: Params, x: JArray, y: JArray) => crossEntropy(jax, forward(p, x), y, 10);
  const step = jax.jit((p: Params, m: Params, v: Params, x: JArray, y: JArray, lrT: JArray, cT: JArray) => {
    const [lossValue, grads] = jax.valueAndGrad(loss)(tree.ref(p), x, y);
    lossValue.dispose();
    return adamUpdate(jax, p, grads as Params, m, v, lrT, cT);
  });
  const predict = jax.jit((p: Params, x: JArray) => np.argmax(forward(p, x), 1));

  let t = 0;
  const trainer: Trainer = {
    async step(x, y) {
      const [lrT, cT] = adamScalars(jax, 1e-3, ++t);
      [params, m, v] = step(params, m, v, np.array(x).reshape([BATCH, 784]), np.array(y, { dtype: np.int32 }), lrT, cT);
      // jax-js queues work lazily; a loop that never waits holds every queued step's buffers
      // (~1.8 GB after 94 B2 steps), so wait each step as a loop reading its loss would.
      await jax.blockUntilReady(params);
    },
    async sync() {
      await jax.blockUntilReady(params); // borrows: waits for the queued steps, consumes nothing
    },
    async predict(x, n) {
      const out = predict(tree.ref(params), np.array(x).reshape([n, 784]));
      return Int32Array.from((await out.data()) as ArrayLike<number>);
    },
  };
  const { samples, cpuSamples, notes, accuracy, rssBeforeTrainingMiB } = await runTraining(trainer, data, BATCH, opts);
  notes.push("wasm device, single-threaded in Node; Adam by hand under jit; waits for each step");
  return { name: "B2 MLP training", peer: "jax-js-wasm", figure: median(samples), unit: "samples/s", samples, cpuFigure: median(cpuSamples), cpuSamples, notes, accuracy, rssBeforeTrainingMiB };
}
