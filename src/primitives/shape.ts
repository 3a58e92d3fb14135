/** Primitives that rearrange elements without arithmetic. All are linear. */
import { isFloat } from "../core/dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { MaybeTensor, Primitive } from "../core/primitive.js";
import { broadcastShapes, sizeOf } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import type { PrimParams } from "../backend/spec.js";
import * as lax from "./lax.js";
import { broadcastBatch, toFront } from "./batching.js";

/** JVP of a linear primitive is the primitive applied to the tangent. */
const linearJvp = (apply: (t: Tensor) => Tensor) => (primals: Tensor[], [t]: MaybeTensor[]) =>
  isFloat(primals[0]!.dtype) && t ? [apply(t)] : [null];

export const reshape: Primitive<PrimParams["reshape"]> = {
  name: "reshape",
  abstractEval([x], { shape }) {
    if (sizeOf(shape) !== sizeOf(x!.shape)) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x!.shape)} (${sizeOf(x!.shape)} elements) to ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
    }
    return [{ shape, dtype: x!.dtype }];
  },
  jvp: (p, t, { shape }) => linearJvp((v) => lax.reshape(v, shape))(p, t),
  vjp: ([ct], [x]) => [ct && lax.reshape(ct, x!.shape)],
  batch([x], [d], { shape }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.reshape(xf!, [xf!.shape[0]!, ...shape])], [0]];
  },
};

export const broadcastTo: Primitive<PrimParams["broadcast_to"]> = {
  name: "broadcast_to",
  abstractEval([x], { shape }) {
    if (shape.length < x!.shape.length) {
      throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(x!.shape)} to the lower-rank shape ${fmtShape(shape)}`);
    }
    const out = broadcastShapes("broadcastTo", x!.shape, shape);
    if (out.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(x!.shape)} to ${fmtShape(shape)}`);
    }
    return [{ shape, dtype: x!.dtype }];
  },
  jvp: (p, t, { shape }) => linearJvp((v) => lax.broadcastTo(v, shape))(p, t),
  // The driver sums the cotangent back to the input's shape.
  vjp: ([ct]) => [ct],
  batch([x], [d], { shape }) {
    const [xf] = toFront([x!], [d!]);
    const inner = xf!.shape.slice(1);
    const padded = lax.reshape(xf!, [xf!.shape[0]!, ...new Array(shape.length - inner.length).fill(1), ...inner]);
    return [[lax.broadcastTo(padded, [xf!.shape[0]!, ...shape])], [0]];
  },
};

export const transpose: Primitive<PrimParams["transpose"]> = {
  name: "transpose",
  abstractEval([x], { perm }) {
    const n = x!.shape.length;
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== n || sorted.some((p, i) => p !== i)) {
      throw new ValueError(`transpose: axes ${fmtShape(perm)} are not a permutation of 0..${n - 1} for shape ${fmtShape(x!.shape)}`);
    }
    return [{ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }];
  },
  jvp: (p, t, { perm }) => linearJvp((v) => lax.transpose(v, perm))(p, t),
  vjp([ct], _x, _o, { perm }) {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [ct && lax.transpose(ct, inv)];
  },
  batch([x], [d], { perm }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.transpose(xf!, [0, ...perm.map((p) => p + 1)])], [0]];
  },
};

export const slice: Primitive<PrimParams["slice"]> = {
  name: "slice",
  abstractEval([x], { starts, limits, strides }) {
    const n = x!.shape.length;
    if (starts.length !== n || limits.length !== n || strides.length !== n) {
      throw new ShapeError(`slice: expected ${n} starts, limits and strides for shape ${fmtShape(x!.shape)}`);
    }
    const shape = starts.map((s, i) => {
      const lim = limits[i]!, st = strides[i]!, dim = x!.shape[i]!;
      if (!(st >= 1) || !(s >= 0) || !(lim >= s) || lim > dim) {
        throw new IndexError(`slice: range ${s}:${lim}:${st} is invalid for axis ${i} of size ${dim} in shape ${fmtShape(x!.shape)}`);
      }
      return Math.ceil((lim - s) / st);
    });
    return [{ shape, dtype: x!.dtype }];
  },
  jvp: (p, t, params) => linearJvp((v) => lax.slice(v, params.starts, params.limits, params.strides))(p, t),
  vjp([ct], [x], [out], { starts, strides }) {
    if (ct === null) return [null];
    const hi = x!.shape.map((d, i) => {
      const last = out!.shape[i]! === 0 ? starts[i]! - 1 : starts[i]! + (out!.shape[i]! - 1) * strides[i]!;
      return d - last - 1;
    });
    const lo = out!.shape.map((n, i) => (n === 0 ? x!.shape[i]! : starts[i]!));
    const interior = strides.map((s, i) => (out!.shape[i] === 0 ? 0 : s - 1));
    const hiFixed = hi.map((h, i) => (out!.shape[i] === 0 ? 0 : h));
    return [lax.pad(ct, lo, hiFixed, interior)];
  },
  batch([x], [d], { starts, limits, strides }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.slice(xf!, [0, ...starts], [xf!.shape[0]!, ...limits], [1, ...strides])], [0]];
  },
};

export const pad: Primitive<PrimParams["pad"]> = {
  name: "pad",
  abstractEval([x], { lo, hi, interior }) {
    const n = x!.shape.length;
    if (lo.length !== n || hi.length !== n || interior.length !== n) {
      throw new ShapeError(`pad: expected ${n} (before, after) pairs for shape ${fmtShape(x!.shape)}, got ${lo.length}`);
    }
    const shape = x!.shape.map((dim, i) => {
      if (!Number.isInteger(lo[i]) || !Number.isInteger(hi[i]) || lo[i]! < 0 || hi[i]! < 0 || interior[i]! < 0) {
        throw new ValueError(`pad: padding must be non-negative integers, got (${lo[i]}, ${hi[i]}) on axis ${i}`);
      }
      return lo[i]! + hi[i]! + dim + Math.max(0, dim - 1) * interior[i]!;
    });
    return [{ shape, dtype: x!.dtype }];
  },
  jvp: (p, t, { lo, hi, interior }) => linearJvp((v) => lax.pad(v, lo, hi, interior))(p, t),
  vjp([ct], [x], [out], { lo, hi, interior }) {
    if (ct === null) return [null];
    const limits = out!.shape.map((d, i) => (x!.shape[i] === 0 ? lo[i]! : d - hi[i]!));
    return [lax.slice(ct, [...lo], limits, interior.map((s) => s + 1))];
  },
  batch([x], [d], { lo, hi, interior }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.pad(xf!, [0, ...lo], [0, ...hi], [0, ...interior])], [0]];
  },
};

export const concatenate: Primitive<PrimParams["concatenate"]> = {
  name: "concatenate",
  abstractEval(xs, { axis }) {
    if (xs.length === 0) throw new ValueError("concatenate: needs at least one tensor");
    const first = xs[0]!;
    if (axis < 0 || axis >= first.shape.length) {
      throw new IndexError(`concatenate: axis ${axis} is out of range for rank ${first.shape.length}`);
    }
    let total = 0;
    for (const [k, x] of xs.entries()) {
      if (x.dtype !== first.dtype) throw new DTypeError(`concatenate: tensor ${k} has dtype ${x.dtype}, expected ${first.dtype}`);
      if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new ShapeError(
          `concatenate: tensor ${k} has shape ${fmtShape(x.shape)}, which does not match ${fmtShape(first.shape)} except on axis ${axis}`,
        );
      }
      total += x.shape[axis]!;
    }
    const shape = [...first.shape];
    shape[axis] = total;
    return [{ shape, dtype: first.dtype }];
  },
  jvp(xs, ts, { axis }) {
    if (!isFloat(xs[0]!.dtype) || ts.every((t) => t === null)) return [null];
    return [lax.concatenate(ts.map((t, i) => t ?? lax.zerosLike(xs[i]!)), axis)];
  },
  vjp([ct], xs, _o, { axis }) {
    if (ct === null) return xs.map(() => null);
    let start = 0;
    return xs.map((x) => {
      const starts = x.shape.map((_, i) => (i === axis ? start : 0));
      const limits = ct.shape.map((d, i) => (i === axis ? start + x.shape[axis]! : d));
      start += x.shape[axis]!;
      return lax.slice(ct, starts, limits);
    });
  },
  batch(xs, dims, { axis }, size) {
    const front = toFront(xs, dims).map((x, i) => (dims[i] === null ? broadcastBatch(x, size) : x));
    return [[lax.concatenate(front, axis + 1)], [0]];
  },
};

export const rev: Primitive<PrimParams["rev"]> = {
  name: "rev",
  abstractEval([x], { axes }) {
    for (const a of axes) {
      if (a < 0 || a >= x!.shape.length) throw new IndexError(`flip: axis ${a} is out of range for shape ${fmtShape(x!.shape)}`);
    }
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  jvp: (p, t, { axes }) => linearJvp((v) => lax.rev(v, axes))(p, t),
  vjp: ([ct], _x, _o, { axes }) => [ct && lax.rev(ct, axes)],
  batch([x], [d], { axes }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.rev(xf!, axes.map((a) => a + 1))], [0]];
  },
};
