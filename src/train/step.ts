/**
 * The compiled pieces of a training loop: one optimization step and one
 * evaluation pass over a batch, each a pure function of tensors, traced once
 * by `fx.jit` per batch shape.
 */
import { isFloat } from "../core/dtype.js";
import { ShapeError, fmtShape } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { argmax, sum } from "../ops/reduce.js";
import { equal } from "../ops/elementwise.js";
import { valueAndGrad } from "../transforms/grad.js";
import { jit } from "../transforms/jit.js";
import { call } from "../nn/state.js";
import { combine, partition, isTrainable } from "../nn/partition.js";
import { applyUpdates } from "../optim/base.js";
import { foldIn } from "../random/index.js";
import type { GradientTransformation, Key, LossFn, Module } from "./types.js";

/**
 * Number of correct predictions in a batch: argmax over the last axis of
 * `pred` against int labels [B], or against the argmax of one-hot targets.
 */
export function countCorrect(pred: Tensor, target: Tensor): Tensor {
  if (pred.ndim < 1) throw new ShapeError(`fit: accuracy needs predictions with a class axis, got ${fmtShape(pred.shape)}`);
  const predicted = argmax(pred, -1);
  const labels = isFloat(target.dtype) && target.ndim === pred.ndim ? argmax(target, -1) : target;
  if (labels.shape.join() !== predicted.shape.join()) {
    throw new ShapeError(`fit: accuracy compares predicted classes ${fmtShape(predicted.shape)} with targets ${fmtShape(target.shape)}; targets must be int labels of the batch shape or one-hot like the predictions`);
  }
  return sum(equal(predicted, labels.astype(predicted.dtype)));
}

export type TrainStep<M extends Module> = (
  params: M, buffers: M, optState: unknown, x: Tensor, y: Tensor, key: Key, step: Tensor,
) => [M, M, unknown, Tensor, Tensor | null];

/**
 * One step: forward in training mode with the key foldIn(key, step), the
 * loss and its gradient with respect to the trainable leaves, the optimizer
 * update; returns new params, buffers (BatchNorm statistics), optimizer
 * state, the loss and (when `withAccuracy`) the number of correct predictions.
 */
export function makeTrainStep<M extends Module>(
  optimizer: GradientTransformation, lossFn: LossFn, withAccuracy: boolean, compile: boolean,
): TrainStep<M> {
  const step = (params: M, buffers: M, optState: unknown, x: Tensor, y: Tensor, key: Key, stepIndex: Tensor) => {
    const stepKey = foldIn(key, stepIndex);
    const objective = (p: M) => {
      const [pred, next] = call(combine(p, buffers), x, { training: true, key: stepKey });
      return [lossFn(pred, y), [pred, partition(next, isTrainable)[1]]];
    };
    const [[loss, [pred, newBuffers]], grads] = valueAndGrad(objective, { hasAux: true })(params) as [[Tensor, [Tensor, M]], M];
    const [updates, newOptState] = optimizer.update(grads, optState, params);
    const newParams = applyUpdates(params, updates);
    return [newParams, newBuffers, newOptState, loss, withAccuracy ? countCorrect(pred, y) : null];
  };
  // The optimizer state is fit's own, so the step may write the new one over it (on the wasm backend it then
  // stays in Wasm memory, docs/memory.md). Parameters are not donated: callbacks may hold earlier ones
  // (EarlyStopping's best weights), and the first ones are the caller's model.
  return (compile ? jit(step, { donateArgnums: [2] }) : step) as TrainStep<M>;
}

export type EvalStep<M extends Module> = (params: M, buffers: M, x: Tensor, y: Tensor) => [Tensor, Tensor];

/** Forward in evaluation mode (Dropout off, BatchNorm running statistics): [the batch's loss, predictions]. */
export function makeEvalStep<M extends Module>(lossFn: LossFn, compile: boolean): EvalStep<M> {
  const step = (params: M, buffers: M, x: Tensor, y: Tensor): [Tensor, Tensor] => {
    const pred = combine(params, buffers).forward(x, { training: false });
    return [lossFn(pred, y), pred];
  };
  return (compile ? jit(step) : step) as EvalStep<M>;
}
