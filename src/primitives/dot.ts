/** Batched matrix multiplication: [..., M, K] @ [..., K, N] with equal batch shapes. */
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import { needsCotangent, type Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import * as lax from "./lax.js";
import { broadcastBatch, toFront } from "./batching.js";

type None = Record<string, never>;

export const dot: Primitive<None> = {
  name: "dot",
  abstractEval([a, b]) {
    const ra = a!.shape.length, rb = b!.shape.length;
    if (a!.dtype !== b!.dtype) throw new DTypeError(`matmul: operands must have one dtype, got ${a!.dtype} and ${b!.dtype}`);
    if (a!.dtype === "bool") throw new DTypeError("matmul: does not take bool tensors");
    if (ra < 2 || ra !== rb) throw new ShapeError(`matmul: expected two tensors of equal rank ≥ 2, got ${fmtShape(a!.shape)} and ${fmtShape(b!.shape)}`);
    const K = a!.shape[ra - 1]!;
    if (b!.shape[rb - 2] !== K) {
      throw new ShapeError(
        `matmul: contracting axes differ: ${fmtShape(a!.shape)} @ ${fmtShape(b!.shape)} (axis -1 of the first has ${K}, axis -2 of the second has ${b!.shape[rb - 2]})`,
      );
    }
    for (let i = 0; i < ra - 2; i++) {
      if (a!.shape[i] !== b!.shape[i]) throw new ShapeError(`matmul: batch axis ${i} differs: ${fmtShape(a!.shape)} @ ${fmtShape(b!.shape)}`);
    }
    return [{ shape: [...a!.shape.slice(0, ra - 1), b!.shape[rb - 1]!], dtype: a!.dtype }];
  },
  jvp([a, b], [ta, tb]) {
    if (!isFloat(a!.dtype)) return [null];
    const l = ta && lax.dot(ta, b!);
    const r = tb && lax.dot(a!, tb);
    return [l === null ? r : r === null ? l : lax.add(l, r)];
  },
  vjp([ct], [a, b], _o, _p, needed) {
    if (ct === null || !isFloat(a!.dtype)) return [null, null];
    return [needsCotangent(needed, 0) ? lax.dot(ct, lax.mT(b!)) : null, needsCotangent(needed, 1) ? lax.dot(lax.mT(a!), ct) : null];
  },
  batch([a, b], [da, db], _p, size) {
    let [af, bf] = toFront([a!, b!], [da!, db!]) as [Tensor, Tensor];
    if (db === null && bf.shape.length === 2 && af.shape.length === 3) {
      // [B, M, K] @ [K, N]: fold the batch into the rows.
      const [B, M, K] = af.shape as [number, number, number];
      const out = lax.dot(lax.reshape(af, [B * M, K]), bf);
      return [[lax.reshape(out, [B, M, bf.shape[1]!])], [0]];
    }
    if (da === null && af.shape.length === 2 && bf.shape.length === 3) {
      // [M, K] @ [B, K, N]: put the batch beside N so the shared matrix multiplies once, uncopied.
      const [B, K, N] = bf.shape as [number, number, number];
      const wide = lax.reshape(lax.moveAxis(bf, 0, 1), [K, B * N]);
      const out = lax.reshape(lax.dot(af, wide), [af.shape[0]!, B, N]);
      return [[lax.moveAxis(out, 1, 0)], [0]];
    }
    if (da === null) af = broadcastBatch(af, size);
    if (db === null) bf = broadcastBatch(bf, size);
    return [[lax.dot(af, bf)], [0]];
  },
};
