/** Integer gather along one axis and its transpose, scatter-add. */
import { isFloat, isInteger } from "../core/dtype.js";
import { DTypeError, IndexError, ShapeError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import type { PrimParams } from "../backend/spec.js";
import * as lax from "./lax.js";
import { batchByLoop, broadcastBatch, toFront } from "./batching.js";
import { iota } from "./constant.js";

function checkIndices(op: string, idx: { dtype: string; shape: readonly number[] }): void {
  if (!isInteger(idx.dtype as never)) {
    throw new DTypeError(`${op}: indices must be int32 or uint8, got ${idx.dtype}${fmtShape(idx.shape)}`);
  }
}

export const gather: Primitive<PrimParams["gather"]> = {
  name: "gather",
  abstractEval([x, idx], { axis }) {
    checkIndices("take", idx!);
    if (axis < 0 || axis >= x!.shape.length) throw new IndexError(`take: axis ${axis} is out of range for shape ${fmtShape(x!.shape)}`);
    const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
    return [{ shape, dtype: x!.dtype }];
  },
  jvp: ([, idx], [t], { axis }) => [t && lax.gather(t, idx!, axis)],
  vjp: ([ct], [x, idx], _o, { axis }) => [ct && isFloat(x!.dtype) ? lax.scatterAdd(lax.zerosLike(x!), idx!, ct, axis) : null, null],
  batch([x, idx], [dx, di], { axis }, size) {
    let [xf, idf] = toFront([x!, idx!], [dx!, di!]) as [Tensor, Tensor];
    if (di === null) {
      // Only the operand is batched: gather along the shifted axis.
      return [[lax.gather(xf, idf, axis + 1)], [0]];
    }
    if (dx === null) {
      // Only the indices are batched: their batch axis lands where the gathered axis was.
      return [[lax.gather(xf, idf, axis)], [axis]];
    }
    // Both batched: flatten (batch, axis) into one axis and offset each example's indices.
    xf = lax.moveAxis(xf, axis + 1, 1);
    const n = xf.shape[1]!;
    const rest = xf.shape.slice(2);
    const flat = lax.reshape(xf, [size * n, ...rest]);
    const offsets = lax.reshape(lax.mul(iota(size, idf.dtype), lax.cst(n, idf)), [size, ...idf.shape.slice(1).map(() => 1)]);
    // Negative indices must wrap within their own example, so normalize them first.
    const wrapped = lax.select(lax.lt(idf, lax.cst(0, idf)), lax.add(idf, lax.cst(n, idf)), idf);
    idf = lax.add(wrapped, offsets);
    const gathered = lax.gather(flat, idf, 0); // [B, ...I, ...rest]
    const iRank = idf.shape.length - 1;
    // Put the per-example axes back in order: [B, pre..., I..., post...].
    const pre = axis;
    const perm = [0, ...range(pre).map((k) => 1 + iRank + k), ...range(iRank).map((k) => 1 + k), ...range(rest.length - pre).map((k) => 1 + iRank + pre + k)];
    return [[lax.transpose(gathered, perm)], [0]];
  },
};

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export const scatterAdd: Primitive<PrimParams["scatter_add"]> = {
  name: "scatter_add",
  abstractEval([x, idx, upd], { axis }) {
    checkIndices("scatterAdd", idx!);
    if (axis < 0 || axis >= x!.shape.length) throw new IndexError(`scatterAdd: axis ${axis} is out of range for shape ${fmtShape(x!.shape)}`);
    const expected = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
    if (upd!.shape.length !== expected.length || upd!.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError(`scatterAdd: updates have shape ${fmtShape(upd!.shape)}, expected ${fmtShape(expected)} for operand ${fmtShape(x!.shape)} and indices ${fmtShape(idx!.shape)} on axis ${axis}`);
    }
    if (upd!.dtype !== x!.dtype) throw new DTypeError(`scatterAdd: updates are ${upd!.dtype} but the operand is ${x!.dtype}`);
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  jvp([x, idx, upd], [tx, , tu], { axis }) {
    if (!isFloat(x!.dtype) || (tx === null && tu === null)) return [null];
    return [lax.scatterAdd(tx ?? lax.zerosLike(x!), idx!, tu ?? lax.zerosLike(upd!), axis)];
  },
  vjp: ([ct], [x, idx], _o, { axis }) => (ct && isFloat(x!.dtype) ? [ct, null, lax.gather(ct, idx!, axis)] : [null, null, null]),
  batch(args, dims, params, size) {
    if (dims[1] === null && dims[2] === null) {
      // Only the operand is batched: scatter into each example along the shifted axis.
      const [xf] = toFront([args[0]!], [dims[0]!]);
      const upd = broadcastBatch(args[2]!, size);
      return [[lax.scatterAdd(xf!, args[1]!, upd, params.axis + 1)], [0]];
    }
    return batchByLoop(scatterAdd, args, dims, params, size);
  },
};
