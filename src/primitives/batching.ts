/** Shared pieces of batching rules (for `vmap`). */
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import type { DType } from "../core/dtype.js";
import { broadcastTo, concatenate, moveAxis, reshape, slice } from "./lax.js";
import { scalar } from "./constant.js";

export type BatchResult = [Tensor[], (number | null)[]];

/** Moves every batched argument's batch axis to 0; unbatched ones stay as they are. */
export function toFront(args: Tensor[], dims: (number | null)[]): Tensor[] {
  return args.map((a, i) => (dims[i] === null ? a : moveAxis(a, dims[i]!, 0)));
}

/** Gives an unbatched argument a leading batch axis of size `n` (materialized). */
export function broadcastBatch(x: Tensor, n: number): Tensor {
  return broadcastTo(reshape(x, [1, ...x.shape]), [n, ...x.shape]);
}

/**
 * Batching for broadcasting elementwise primitives: batched arguments get
 * size-1 axes after the batch axis so ranks line up, then the primitive's own
 * broadcasting does the rest.
 */
export function batchElementwise(prim: Primitive, args: Tensor[], dims: (number | null)[], params: unknown): BatchResult {
  const front = toFront(args, dims);
  const rank = Math.max(...front.map((a, i) => a.shape.length - (dims[i] === null ? 0 : 1)));
  const aligned = front.map((a, i) => {
    if (dims[i] === null) return a;
    const inner = a.shape.slice(1);
    return reshape(a, [a.shape[0]!, ...new Array(rank - inner.length).fill(1), ...inner]);
  });
  const outs = bind(prim, aligned, params);
  return [outs, outs.map(() => 0)];
}

/** Batching by running the primitive once per example and stacking: correct for any primitive. */
export function batchByLoop(prim: Primitive, args: Tensor[], dims: (number | null)[], params: unknown, size: number): BatchResult {
  const front = toFront(args, dims);
  const results: Tensor[][] = [];
  for (let b = 0; b < size; b++) {
    const example = front.map((a, i) => {
      if (dims[i] === null) return a;
      const starts = a.shape.map((_, ax) => (ax === 0 ? b : 0));
      const limits = a.shape.map((d, ax) => (ax === 0 ? b + 1 : d));
      return reshape(slice(a, starts, limits), a.shape.slice(1));
    });
    results.push(bind(prim, example, params));
  }
  const nOut = results[0]?.length ?? prim.abstractEval(front.map((a, i) => (dims[i] === null ? a : { shape: a.shape.slice(1), dtype: a.dtype })), params).length;
  const outs: Tensor[] = [];
  for (let k = 0; k < nOut; k++) {
    if (size === 0) {
      const avals = prim.abstractEval(front.map((a, i) => (dims[i] === null ? a : { shape: a.shape.slice(1), dtype: a.dtype })), params);
      outs.push(broadcastTo(zerosOf(avals[k]!.dtype), [0, ...avals[k]!.shape]));
      continue;
    }
    outs.push(concatenate(results.map((r) => reshape(r[k]!, [1, ...r[k]!.shape])), 0));
  }
  return [outs, outs.map(() => 0)];
}

const zerosOf = (dtype: DType) => scalar(0, dtype);
