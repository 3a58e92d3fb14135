/** Reductions over axes, arg-reductions and cumulative sums. */
import { isFloat } from "../core/dtype.js";
import { DTypeError, IndexError, ValueError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { Aval, Tensor } from "../core/tensor.js";
import type { PrimParams, ReduceName } from "../backend/spec.js";
import * as lax from "./lax.js";
import { cst } from "./lax.js";
import { toFront } from "./batching.js";

const USER_NAME: Record<ReduceName, string> = { reduce_sum: "sum", reduce_max: "max", reduce_min: "min", reduce_prod: "prod" };

function checkAxes(op: string, x: Aval, axes: number[]): void {
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= x.shape.length) {
      throw new IndexError(`${op}: axis ${a} is out of range for shape ${fmtShape(x.shape)}`);
    }
  }
}

function reducedShape(x: Aval, axes: number[]): number[] {
  return x.shape.filter((_, i) => !axes.includes(i));
}

/** The shape of the input with reduced axes kept as 1, to broadcast results back. */
function keptShape(x: Aval, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Broadcasts a reduced tensor back over the reduced axes. */
function expandBack(r: Tensor, x: Aval, axes: number[]): Tensor {
  return lax.broadcastTo(lax.reshape(r, keptShape(x, axes)), x.shape);
}

/** For max/min: where each input attains the result, weighted 1/(number of ties), as JAX does. */
function tieWeights(x: Tensor, out: Tensor, axes: number[]): Tensor {
  const hit = lax.cast(lax.eq(x, expandBack(out, x, axes)), x.dtype);
  const count = lax.reduceSum(hit, axes);
  return lax.div(hit, expandBack(count, x, axes));
}

/** ∂prod/∂x_i = product of the other elements, correct when some x are zero. */
function prodPartials(x: Tensor, out: Tensor, axes: number[]): Tensor {
  const isZero = lax.eq(x, cst(0, x));
  const zeros = lax.reduceSum(lax.cast(isZero, x.dtype), axes);
  const nonzeroProd = lax.reduceProd(lax.select(isZero, cst(1, x), x), axes);
  const onlyZero = lax.select(lax.eq(zeros, cst(1, zeros)), nonzeroProd, cst(0, x));
  const safeX = lax.select(isZero, cst(1, x), x);
  return lax.select(isZero, expandBack(onlyZero, x, axes), lax.div(expandBack(out, x, axes), safeX));
}

export function reducePrimitive(name: ReduceName): Primitive<PrimParams[ReduceName]> {
  const op = USER_NAME[name];
  const self: Primitive<PrimParams[ReduceName]> = {
    name,
    abstractEval([x], { axes }) {
      checkAxes(op, x!, axes);
      if (x!.dtype === "bool") throw new DTypeError(`${op}: does not take bool tensors (use all/any, or astype("int32"))`);
      if ((name === "reduce_max" || name === "reduce_min") && axes.some((a) => x!.shape[a] === 0)) {
        throw new ValueError(`${op}: cannot reduce an empty axis of shape ${fmtShape(x!.shape)} (axes ${fmtShape(axes)}): there is no identity for ${op}`);
      }
      return [{ shape: reducedShape(x!, axes), dtype: x!.dtype }];
    },
    jvp([x], [t], { axes }, [out]) {
      if (!isFloat(x!.dtype) || t === null) return [null];
      switch (name) {
        case "reduce_sum": return [lax.reduceSum(t, axes)];
        case "reduce_max": case "reduce_min": return [lax.reduceSum(lax.mul(t, tieWeights(x!, out!, axes)), axes)];
        case "reduce_prod": return [lax.reduceSum(lax.mul(t, prodPartials(x!, out!, axes)), axes)];
        default: return name satisfies never;
      }
    },
    vjp([ct], [x], [out], { axes }) {
      if (!isFloat(x!.dtype) || ct === null) return [null];
      const back = expandBack(ct, x!, axes);
      switch (name) {
        case "reduce_sum": return [back];
        case "reduce_max": case "reduce_min": return [lax.mul(back, tieWeights(x!, out!, axes))];
        case "reduce_prod": return [lax.mul(back, prodPartials(x!, out!, axes))];
        default: return name satisfies never;
      }
    },
    batch([x], [d], { axes }) {
      const [xf] = toFront([x!], [d!]);
      return [[lax.unaryReduce(name, xf!, axes.map((a) => a + 1))], [0]];
    },
  };
  return self;
}

export function argPrimitive(name: "argmax" | "argmin"): Primitive<PrimParams["argmax"]> {
  const self: Primitive<PrimParams["argmax"]> = {
    name,
    abstractEval([x], { axis }) {
      checkAxes(name, x!, [axis]);
      if (x!.shape[axis] === 0) throw new ValueError(`${name}: cannot take ${name} over an empty axis ${axis} of shape ${fmtShape(x!.shape)}`);
      return [{ shape: reducedShape(x!, [axis]), dtype: "int32" }];
    },
    jvp: () => [null],
    vjp: () => [null],
    batch([x], [d], { axis }) {
      const [xf] = toFront([x!], [d!]);
      return [[name === "argmax" ? lax.argmax(xf!, axis + 1) : lax.argmin(xf!, axis + 1)], [0]];
    },
  };
  return self;
}

export const cumsum: Primitive<PrimParams["cumsum"]> = {
  name: "cumsum",
  abstractEval([x], { axis }) {
    checkAxes("cumsum", x!, [axis]);
    if (x!.dtype === "bool") throw new DTypeError(`cumsum: does not take bool tensors`);
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  jvp: ([x], [t], { axis, reverse }) => (isFloat(x!.dtype) && t ? [lax.cumsum(t, axis, reverse)] : [null]),
  vjp: ([ct], [x], _o, { axis, reverse }) => (isFloat(x!.dtype) && ct ? [lax.cumsum(ct, axis, !reverse)] : [null]),
  batch([x], [d], { axis, reverse }) {
    const [xf] = toFront([x!], [d!]);
    return [[lax.cumsum(xf!, axis + 1, reverse)], [0]];
  },
};
