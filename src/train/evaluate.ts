/**
 * `evaluate(model, data)`: loss, accuracy and predictions of a model on a
 * data set, in evaluation mode (Dropout off, BatchNorm running statistics),
 * batch by batch through one compiled forward pass.
 */
import { isFloat } from "../core/dtype.js";
import type { Tensor } from "../core/tensor.js";
import { concatenate } from "../ops/shape.js";
import { argmax } from "../ops/reduce.js";
import { partition, isTrainable } from "../nn/partition.js";
import { softmaxCrossEntropy, softmaxCrossEntropyWithIntegerLabels } from "../losses/index.js";
import { asExamples, type Examples } from "./data.js";
import { countCorrect, makeEvalStep, type EvalStep } from "./step.js";
import type { LossFn, Module } from "./types.js";

export interface EvaluateOptions {
  /** Default: softmax cross-entropy (integer labels, or one-hot targets). */
  lossFn?: LossFn;
  /** Examples per forward pass (default 256). */
  batchSize?: number;
  /** Compile the forward pass with fx.jit (default true). */
  jit?: boolean;
}

export interface Evaluation {
  /** Mean loss per example (batch losses weighted by batch size). */
  loss: number;
  /** Fraction of examples whose argmax prediction matches the target. */
  accuracy: number;
  /** Predicted classes (argmax of the last axis), one per example. */
  predictions: Int32Array;
  /** The raw model outputs, [N, ...]. */
  outputs: Tensor;
  /** Number of examples. */
  count: number;
}

/** Softmax cross-entropy for integer labels or one-hot targets, chosen by the target's dtype. */
export const defaultClassificationLoss: LossFn = (pred, target) =>
  isFloat(target.dtype) ? softmaxCrossEntropy(pred, target) : softmaxCrossEntropyWithIntegerLabels(pred, target);

/**
 * Runs `model` over `data` and measures it.
 *
 *   const { loss, accuracy, predictions } = fx.train.evaluate(model, test);
 */
export function evaluate<M extends Module>(model: M, data: Examples, opts: EvaluateOptions = {}): Evaluation {
  const [params, buffers] = partition(model, isTrainable);
  const step = makeEvalStep<M>(opts.lossFn ?? defaultClassificationLoss, opts.jit ?? true);
  return evaluateWith(step, params, buffers, data, opts.batchSize ?? 256);
}

/** `evaluate` with an already-built step (fit reuses one across epochs, so it is traced once). */
export function evaluateWith<M extends Module>(step: EvalStep<M>, params: M, buffers: M, data: Examples, batchSize: number): Evaluation {
  const ds = asExamples("evaluate", data);
  let lossSum = 0, correct = 0, count = 0;
  const outputs: Tensor[] = [];
  for (const [x, y] of ds.batch(batchSize)) {
    const [loss, pred] = step(params, buffers, x, y);
    const b = x.shape[0]!;
    lossSum += loss.item() as number * b;
    correct += countCorrect(pred, y).item() as number;
    count += b;
    outputs.push(pred);
  }
  const all = outputs.length === 1 ? outputs[0]! : concatenate(outputs, 0);
  return {
    loss: lossSum / count,
    accuracy: correct / count,
    predictions: Int32Array.from(argmax(all, -1).data()),
    outputs: all,
    count,
  };
}
