/**
 * B2 MLP training in TensorFlow.js (cpu or wasm backend): 784-512-256-10 ReLU,
 * softmax cross-entropy, Adam 1e-3, batch 128, written with variables and
 * `optimizer.minimize` inside `tidy`, as a tfjs user would.
 */
import { loadFashionMnist } from "./common/fashion-mnist.js";
import { loadTfBackend, torchUniform } from "./common/tfjs.js";
import { runTraining, type Trainer } from "./common/train-loop.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./common/types.js";

const BATCH = 128;
const SIZES = [784, 512, 256, 10];

export async function b2Tfjs(backend: "cpu" | "wasm", opts: WorkloadOptions): Promise<WorkloadResult> {
  const tf = await loadTfBackend(backend);
  const data = loadFashionMnist();
  const layers = SIZES.slice(1).map((out, i) => ({
    w: torchUniform(tf, [SIZES[i]!, out], SIZES[i]!, 2 * i + 1),
    b: torchUniform(tf, [out], SIZES[i]!, 2 * i + 2),
  }));
  const forward = (x: import("@tensorflow/tfjs").Tensor2D) =>
    layers.reduce((h, { w, b }, i) => {
      const z = tf.add(tf.matMul(h, w), b) as typeof x;
      return i < layers.length - 1 ? tf.relu(z) : z;
    }, x);
  const optimizer = tf.train.adam(1e-3);

  const trainer: Trainer = {
    step(x, y) {
      tf.tidy(() => {
        const xs = tf.tensor2d(x, [BATCH, 784]);
        const onehot = tf.oneHot(tf.tensor1d(y, "int32"), 10);
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(onehot, forward(xs)) as import("@tensorflow/tfjs").Scalar);
      });
    },
    async sync() {
      await layers[0]!.w.data();
    },
    predict(x, n) {
      return tf.tidy(() => tf.argMax(forward(tf.tensor2d(x, [n, 784])), 1).dataSync() as Int32Array);
    },
  };
  const { samples, cpuSamples, notes, accuracy, rssBeforeTrainingMiB } = await runTraining(trainer, data, BATCH, opts);
  if (backend === "wasm") notes.push("tfjs-backend-wasm: threads off under Node");
  return { name: "B2 MLP training", peer: `tfjs-${backend}`, figure: median(samples), unit: "samples/s", samples, cpuFigure: median(cpuSamples), cpuSamples, notes, accuracy, rssBeforeTrainingMiB };
}
