/**
 * Notebook 1 of the JAX workshop, in Fluxion: a fully connected network
 * written as plain functions over a pytree of parameters, a loss, and
 * gradient descent by hand — θ ← θ − ε ∇θ L — with fx.grad, fx.tree.map,
 * fx.vmap and fx.jit. No nn, no optim.
 *
 *   npx tsx examples/mnist-pure.ts            # 5 epochs on the embedded digits
 *   npx tsx examples/mnist-pure.ts --epochs 1
 */
import { pathToFileURL } from "node:url";
import * as fx from "../src/index.js";

/** One layer's parameters: y = W x + b. The whole model is an array of them: a pytree. */
export interface Layer {
  w: fx.Tensor;
  b: fx.Tensor;
}
export type Params = Layer[];

/** Random weights scaled by sqrt(2 / fan-in) (He), zero biases. */
export function initParams(sizes: number[], key: fx.Tensor): Params {
  const keys = fx.random.split(key, sizes.length - 1);
  return sizes.slice(1).map((out, i) => ({
    w: fx.random.normal(keys[i]!, [out, sizes[i]!]).mul(Math.sqrt(2 / sizes[i]!)),
    b: fx.zeros([out]),
  }));
}

/** F_θ(x) = L_n ∘ σ ∘ … ∘ σ ∘ L_0 (x) for one image x [784]: logits [10]. */
export function forward(params: Params, x: fx.Tensor): fx.Tensor {
  let h = x;
  params.forEach(({ w, b }, i) => {
    h = fx.matmul(w, h).add(b);
    if (i < params.length - 1) h = fx.relu(h);
  });
  return h;
}

/**
 * The same function over a batch [B, 784] → [B, 10], written by vmap: it
 * maps over x (axis 0) and not over the parameters (null).
 */
export const vmappedForward = fx.vmap(forward, { inAxes: [null, 0] });

/**
 * The batch version written by hand, X Wᵀ + b, which is what training uses:
 * one matrix product per layer for the whole batch (vmap of W x currently
 * runs as a batched product that copies W once per example).
 */
export function batchedForward(params: Params, x: fx.Tensor): fx.Tensor {
  let h = x;
  params.forEach(({ w, b }, i) => {
    h = fx.matmul(h, w.T).add(b);
    if (i < params.length - 1) h = fx.relu(h);
  });
  return h;
}

/** Cross-entropy between softmax(F_θ(x)) and one-hot targets, averaged over the batch. */
export function loss(params: Params, x: fx.Tensor, yOneHot: fx.Tensor): fx.Tensor {
  const logProbs = fx.logSoftmax(batchedForward(params, x), -1);
  return fx.mean(fx.sum(logProbs.mul(yOneHot), -1)).neg();
}

/** One step of gradient descent, compiled once: θ ← θ − ε ∇θ L(θ). */
export function makeStep(learningRate: number) {
  return fx.jit((params: Params, x: fx.Tensor, y: fx.Tensor): [Params, fx.Tensor] => {
    const [value, grads] = fx.valueAndGrad(loss)(params, x, y) as [fx.Tensor, Params];
    const next = fx.tree.map((p: fx.Tensor, g: fx.Tensor) => p.sub(g.mul(learningRate)), params, grads);
    return [next, value];
  });
}

export function accuracy(params: Params, x: fx.Tensor, labels: fx.Tensor): number {
  return fx.mean(fx.equal(fx.argmax(batchedForward(params, x), 1), labels)).item() as number;
}

export interface RunOptions {
  epochs?: number;
  /** Stop after this many steps (for quick checks). */
  maxSteps?: number;
  batchSize?: number;
  learningRate?: number;
  log?: (line: string) => void;
}

/** Trains on the mnist package's digits; returns the loss of every step and the final test accuracy. */
export function run(opts: RunOptions = {}): { losses: number[]; testAccuracy: number } {
  const { epochs = 5, batchSize = 64, learningRate = 0.1, log = console.log } = opts;
  const { train, test } = fx.data.mnist({ layout: "flat" });
  let params = initParams([784, 128, 64, 10], fx.random.key(0));
  const step = makeStep(learningRate);
  const losses: number[] = [];
  let key = fx.random.key(1);
  outer: for (let epoch = 1; epoch <= epochs; epoch++) {
    let sub: fx.Tensor;
    [key, sub] = fx.random.split(key) as [fx.Tensor, fx.Tensor];
    for (const [x, labels] of train.shuffle(sub).batch(batchSize, { dropRemainder: true })) {
      let value: fx.Tensor;
      [params, value] = step(params, x, fx.data.oneHot(labels, 10));
      losses.push(value.item() as number);
      if (opts.maxSteps !== undefined && losses.length >= opts.maxSteps) break outer;
    }
    const recent = losses.slice(-50);
    log(`epoch ${epoch}: mean loss of the last ${recent.length} steps ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}`);
  }
  const [xTest, yTest] = test.collect();
  const testAccuracy = accuracy(params, xTest, yTest);
  log(`test accuracy ${(testAccuracy * 100).toFixed(2)}% on ${yTest.shape[0]} held-out digits`);
  return { losses, testAccuracy };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--epochs");
  run({ epochs: i > 0 ? Number(process.argv[i + 1]) : 5 });
}
