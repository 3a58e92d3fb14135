/**
 * `whileLoop` and `fori`. A while loop runs until its predicate is false, so
 * its trip count depends on data: it supports forward mode and vmap, and (as
 * in JAX) not reverse mode. `fori` with JS-number bounds is a scan, so it is
 * fully differentiable.
 *
 *   fx.whileLoop((x) => x.less(100), (x) => x.mul(2), fx.tensor(1)) // 128
 */
import { DTypeError, ShapeError, TransformError } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { flatten, unflatten } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { broadcastBatch, toFront } from "../primitives/batching.js";
import { closeOver, type ClosedProgram } from "../transforms/closure.js";
import { jvpFlat } from "../transforms/jvp.js";
import { vmap } from "../transforms/vmap.js";
import type { Program } from "../transforms/program.js";
import { toTensor } from "../transforms/args.js";
import { asFn, avalsOf, describeAval, sameAval, zerosOr } from "./common.js";
import { scan } from "./scan.js";
import { iota } from "../primitives/constant.js";

export interface WhileParams {
  /** Takes its constants then the carry; returns a bool scalar. */
  cond: Program;
  /** Takes its constants then the carry; returns the new carry. */
  body: Program;
  numCondConsts: number;
  numBodyConsts: number;
}

function parts(args: Tensor[], p: WhileParams) {
  const cc = args.slice(0, p.numCondConsts);
  const bc = args.slice(p.numCondConsts, p.numCondConsts + p.numBodyConsts);
  const carry = args.slice(p.numCondConsts + p.numBodyConsts);
  return { cc, bc, carry };
}

function bindWhile(c: ClosedProgram, b: ClosedProgram, carry: Tensor[]): Tensor[] {
  return bind(whilePrimitive, [...c.consts, ...b.consts, ...carry], {
    cond: c.program, body: b.program, numCondConsts: c.consts.length, numBodyConsts: b.consts.length,
  });
}

export const whilePrimitive: Primitive<WhileParams> = {
  name: "while",
  abstractEval(args, p) {
    const { carry } = parts([...args] as Tensor[], p);
    const pred = p.cond.avals[p.cond.outputs[0]!]!;
    if (p.cond.outputs.length !== 1 || pred.shape.length !== 0 || pred.dtype !== "bool") {
      throw new DTypeError(`whileLoop: the condition must return one bool scalar, got ${describeAval(pred)}`);
    }
    const outs = p.body.outputs.map((v) => p.body.avals[v]!);
    outs.forEach((a, i) => {
      if (!sameAval(a, carry[i]!)) throw new ShapeError(`whileLoop: the body changed carry leaf ${i} from ${describeAval(carry[i]!)} to ${describeAval(a)}`);
    });
    return avalsOf(carry);
  },

  impl(args, p) {
    const { cc, bc } = parts(args, p);
    let { carry } = parts(args, p);
    while (p.cond.run([...cc, ...carry])[0]!.item()) carry = p.body.run([...bc, ...carry]);
    return carry;
  },

  jvp(primals, tangents, p) {
    const { cc, bc, carry } = parts(primals, p);
    const off = p.numCondConsts;
    const tbc = bc.map((x, i) => zerosOr(tangents[off + i], x));
    const tcarry = carry.map((x, i) => zerosOr(tangents[off + bc.length + i], x));
    const n = carry.length;
    const condJ = closeOver((...ins) => p.cond.run([...ins.slice(0, cc.length), ...ins.slice(cc.length, cc.length + n)]), [...avalsOf(cc), ...avalsOf(carry), ...avalsOf(carry)]);
    const bodyJ = closeOver((...ins) => {
      const k = bc.length;
      const [outs, touts] = jvpFlat(asFn(p.body), [...ins.slice(0, k), ...ins.slice(2 * k, 2 * k + n)], [...ins.slice(k, 2 * k), ...ins.slice(2 * k + n)]);
      return [...outs, ...touts];
    }, [...avalsOf(bc), ...avalsOf(bc), ...avalsOf(carry), ...avalsOf(carry)]);
    const outs = bind(whilePrimitive, [...condJ.consts, ...cc, ...bodyJ.consts, ...bc, ...tbc, ...carry, ...tcarry], {
      cond: condJ.program, body: bodyJ.program,
      numCondConsts: condJ.consts.length + cc.length, numBodyConsts: bodyJ.consts.length + 2 * bc.length,
    });
    return outs.slice(n);
  },

  vjp() {
    throw new TransformError(
      "whileLoop: reverse-mode differentiation is not supported (the number of steps depends on the data). " +
        "Use fx.scan, or fx.fori with number bounds, which are differentiable.",
    );
  },

  batch(args, dims, p, size) {
    const front = toFront(args, dims);
    const { cc, bc, carry } = parts(front, p);
    const d = (i: number) => (dims[i] === null ? null : 0);
    const ccAxes = cc.map((_, i) => d(i));
    const bcAxes = bc.map((_, i) => d(cc.length + i));
    // Every carry is batched: after one step it would be if anything is.
    const carryB = carry.map((x, i) => (dims[cc.length + bc.length + i] === null ? broadcastBatch(x, size) : x));
    const vCond = vmap((...ins: Tensor[]) => p.cond.run(ins)[0]!, { inAxes: [...ccAxes, ...carry.map(() => 0)] });
    const vBody = vmap((...ins: Tensor[]) => p.body.run(ins), { inAxes: [...bcAxes, ...carry.map(() => 0)] });
    // Loop while any example is still running; finished examples keep their carry.
    const condB = closeOver((...ins) => {
      const preds = vCond(...ins.slice(0, cc.length), ...ins.slice(cc.length + bc.length)) as Tensor;
      return [lax.gt(lax.reduceSum(lax.cast(preds, "int32"), [0]), lax.cst(0, { dtype: "int32" }))];
    }, [...avalsOf(cc), ...avalsOf(bc), ...avalsOf(carryB)]);
    const bodyB = closeOver((...ins) => {
      const c = ins.slice(0, cc.length), b = ins.slice(cc.length, cc.length + bc.length), cur = ins.slice(cc.length + bc.length);
      const preds = vCond(...c, ...cur) as Tensor;
      const next = vBody(...b, ...cur) as Tensor[];
      return next.map((x, i) => lax.select(lax.reshape(preds, [size, ...new Array(x.ndim - 1).fill(1)]), x, cur[i]!));
    }, [...avalsOf(cc), ...avalsOf(bc), ...avalsOf(carryB)]);
    const outs = bind(whilePrimitive, [...condB.consts, ...cc, ...bc, ...bodyB.consts, ...cc, ...bc, ...carryB], {
      cond: condB.program, body: bodyB.program,
      numCondConsts: condB.consts.length + cc.length + bc.length, numBodyConsts: bodyB.consts.length + cc.length + bc.length,
    });
    return [outs, outs.map(() => 0)];
  },
};

/** `fx.whileLoop(cond, body, init)`: `while (cond(carry)) carry = body(carry)`; carry may be a pytree. */
export function whileLoop<C>(condFn: (carry: C) => Tensor | boolean, bodyFn: (carry: C) => C, init: C): C {
  const [leaves, def] = flatten(init);
  const carry = leaves.map((l) => toTensor(l, "whileLoop"));
  const c = closeOver((...ins) => {
    const r = condFn(unflatten(def, ins) as C);
    return [typeof r === "boolean" ? toTensor(r ? 1 : 0, "whileLoop", "bool") : r];
  }, avalsOf(carry));
  const b = closeOver((...ins) => {
    const [out] = flatten(bodyFn(unflatten(def, ins) as C));
    if (out.length !== carry.length) throw new ShapeError(`whileLoop: the body returned ${out.length} leaves, the carry has ${carry.length}`);
    return out.map((l) => toTensor(l, "whileLoop"));
  }, avalsOf(carry));
  return unflatten(def, bindWhile(c, b, carry)) as C;
}

/**
 * `fx.fori(lower, upper, body, init)`: `for (i = lower; i < upper; i++) carry = body(i, carry)`.
 * With number bounds it is a scan (differentiable in both modes); with tensor bounds, a whileLoop.
 */
export function fori<C>(lower: number | Tensor, upper: number | Tensor, body: (i: Tensor, carry: C) => C, init: C): C {
  if (typeof lower === "number" && typeof upper === "number") {
    const n = Math.max(0, upper - lower);
    const idx = lax.add(iota(n, "int32"), lax.cst(lower, { dtype: "int32" }));
    return scan((c: C, i: Tensor) => [body(i, c), null] as [C, null], init, idx)[0];
  }
  const lo = toTensor(lower, "fori", "int32"), hi = toTensor(upper, "fori", "int32");
  const [, out] = whileLoop(
    ([i]: [Tensor, C]) => lax.lt(i, hi),
    ([i, c]: [Tensor, C]) => [lax.add(i, lax.cst(1, i)), body(i, c)] as [Tensor, C],
    [lax.cast(lo, "int32"), init] as [Tensor, C],
  );
  return out;
}
