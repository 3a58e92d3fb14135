/**
 * B3 CNN training in TensorFlow.js (cpu backend; its wasm backend has no
 * Conv2DBackpropFilter kernel): conv3x3 1→32 ReLU → conv3x3 32→64 ReLU (valid)
 * → maxpool 2×2 → dense 9216→128 ReLU → dense 128→10, softmax cross-entropy,
 * Adam 1e-3, batch 64. tfjs convolutions are NHWC, so images go in as 28×28×1.
 */
import type * as TF from "@tensorflow/tfjs";
import { loadFashionMnist } from "./common/fashion-mnist.js";
import { loadTfBackend, torchUniform } from "./common/tfjs.js";
import { runTraining, type Trainer } from "./common/train-loop.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./common/types.js";

const BATCH = 64;

export async function b3Tfjs(opts: WorkloadOptions): Promise<WorkloadResult> {
  const tf = await loadTfBackend("cpu");
  const data = loadFashionMnist();
  const p = {
    c1: torchUniform(tf, [3, 3, 1, 32], 9, 1), c1b: torchUniform(tf, [32], 9, 2),
    c2: torchUniform(tf, [3, 3, 32, 64], 288, 3), c2b: torchUniform(tf, [64], 288, 4),
    d1: torchUniform(tf, [9216, 128], 9216, 5), d1b: torchUniform(tf, [128], 9216, 6),
    d2: torchUniform(tf, [128, 10], 128, 7), d2b: torchUniform(tf, [10], 128, 8),
  };
  const forward = (x: TF.Tensor4D): TF.Tensor2D => {
    const h1 = tf.relu(tf.add(tf.conv2d(x, p.c1 as TF.Tensor4D, 1, "valid"), p.c1b)) as TF.Tensor4D;
    const h2 = tf.relu(tf.add(tf.conv2d(h1, p.c2 as TF.Tensor4D, 1, "valid"), p.c2b)) as TF.Tensor4D;
    const pooled = tf.maxPool(h2, 2, 2, "valid").reshape([-1, 9216]) as TF.Tensor2D;
    const h3 = tf.relu(tf.add(tf.matMul(pooled, p.d1), p.d1b)) as TF.Tensor2D;
    return tf.add(tf.matMul(h3, p.d2), p.d2b) as TF.Tensor2D;
  };
  const optimizer = tf.train.adam(1e-3);

  const trainer: Trainer = {
    step(x, y) {
      tf.tidy(() => {
        const xs = tf.tensor4d(x, [BATCH, 28, 28, 1]);
        const onehot = tf.oneHot(tf.tensor1d(y, "int32"), 10);
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(onehot, forward(xs)) as TF.Scalar);
      });
    },
    async sync() {
      await p.c1.data();
    },
  };
  const { samples, cpuSamples, notes, rssBeforeTrainingMiB } = await runTraining(trainer, data, BATCH, { ...opts, full: false });
  return { name: "B3 CNN training", peer: "tfjs-cpu", figure: median(samples), unit: "samples/s", samples, cpuFigure: median(cpuSamples), cpuSamples, notes, rssBeforeTrainingMiB };
}
