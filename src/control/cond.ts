/**
 * `cond`: choose one of two functions by a scalar predicate, as one primitive,
 * so it works under jit (one compiled program with both branches) and vmap
 * (a batched predicate runs both branches and selects per example).
 *
 *   fx.cond(x.sum().greater(0), (v) => v.mul(2), (v) => v.neg(), x)
 */
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { flatten, unflatten, defToString, type TreeDef } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { toFront } from "../primitives/batching.js";
import { closeOver, type ClosedProgram } from "../transforms/closure.js";
import { jvpFlat } from "../transforms/jvp.js";
import { vjpFlat } from "../transforms/grad.js";
import { vmap } from "../transforms/vmap.js";
import type { Program } from "../transforms/program.js";
import { toTensor } from "../transforms/args.js";
import { asFn, avalsOf, describeAval, sameAval, zerosOr } from "./common.js";

export interface CondParams {
  /** Each branch takes its own constants then the operands. */
  onTrue: Program;
  onFalse: Program;
  numTrueConsts: number;
  numFalseConsts: number;
}

function parts(args: Tensor[], p: CondParams) {
  const pred = args[0]!;
  const tc = args.slice(1, 1 + p.numTrueConsts);
  const fc = args.slice(1 + p.numTrueConsts, 1 + p.numTrueConsts + p.numFalseConsts);
  const ops = args.slice(1 + p.numTrueConsts + p.numFalseConsts);
  return { pred, tc, fc, ops };
}

const outAvals = (prog: Program) => prog.outputs.map((v) => prog.avals[v]!);

function bindCond(pred: Tensor, t: ClosedProgram, f: ClosedProgram, ops: Tensor[]): Tensor[] {
  return bind(condPrimitive, [pred, ...t.consts, ...f.consts, ...ops], {
    onTrue: t.program, onFalse: f.program, numTrueConsts: t.consts.length, numFalseConsts: f.consts.length,
  });
}

export const condPrimitive: Primitive<CondParams> = {
  name: "cond",
  abstractEval(args, p) {
    const pred = args[0]!;
    if (pred.shape.length !== 0) throw new ShapeError(`cond: the predicate must be a scalar, got shape [${pred.shape.join(", ")}]`);
    if (pred.dtype !== "bool") throw new DTypeError(`cond: the predicate must be bool, got ${pred.dtype} (compare it, e.g. x.greater(0))`);
    const a = outAvals(p.onTrue), b = outAvals(p.onFalse);
    if (a.length !== b.length || a.some((x, i) => !sameAval(x, b[i]!))) {
      throw new ShapeError(`cond: the branches return different types: (${a.map(describeAval).join(", ")}) vs (${b.map(describeAval).join(", ")})`);
    }
    return avalsOf(a);
  },

  impl(args, p) {
    const { pred, tc, fc, ops } = parts(args, p);
    return pred.item() ? p.onTrue.run([...tc, ...ops]) : p.onFalse.run([...fc, ...ops]);
  },

  jvp(primals, tangents, p) {
    const { pred, tc, fc, ops } = parts(primals, p);
    const all = [...tc, ...fc, ...ops];
    const tall = all.map((x, i) => zerosOr(tangents[1 + i], x));
    // Each branch' takes (all constants and operands, their tangents) and returns (outs, tangent outs).
    const pick = (xs: Tensor[], which: "t" | "f") =>
      which === "t" ? [...xs.slice(0, tc.length), ...xs.slice(tc.length + fc.length)] : xs.slice(tc.length);
    const branch = (prog: Program, which: "t" | "f") =>
      closeOver((...ins) => {
        const xs = ins.slice(0, all.length), ts = ins.slice(all.length);
        const [outs, touts] = jvpFlat(asFn(prog), pick(xs, which), pick(ts, which));
        return [...outs, ...touts];
      }, [...avalsOf(all), ...avalsOf(all)]);
    const outs = bindCond(pred, branch(p.onTrue, "t"), branch(p.onFalse, "f"), [...all, ...tall]);
    const n = outs.length / 2;
    return outs.slice(n).map((t, i) => (isFloat(outs[i]!.dtype) ? t : null));
  },

  vjp(cts, primals, outs, p) {
    const { pred, tc, fc, ops } = parts(primals, p);
    const ct = outs.map((o, i) => zerosOr(cts[i], o));
    // Each branch returns cotangents for (true consts, false consts, operands); the other branch's are zero.
    const branch = (prog: Program, mine: "t" | "f") =>
      closeOver((...ins) => {
        const a = ins.slice(0, tc.length), b = ins.slice(tc.length, tc.length + fc.length);
        const o = ins.slice(tc.length + fc.length, tc.length + fc.length + ops.length), c = ins.slice(tc.length + fc.length + ops.length);
        const consts = mine === "t" ? a : b;
        const [, pull] = vjpFlat(asFn(prog), [...consts, ...o]);
        const g = pull(c);
        const gConsts = g.slice(0, consts.length).map((x, i) => zerosOr(x, consts[i]!));
        const gOps = g.slice(consts.length).map((x, i) => zerosOr(x, o[i]!));
        return mine === "t" ? [...gConsts, ...b.map((x) => lax.zerosLike(x)), ...gOps] : [...a.map((x) => lax.zerosLike(x)), ...gConsts, ...gOps];
      }, [...avalsOf(tc), ...avalsOf(fc), ...avalsOf(ops), ...avalsOf(ct)]);
    const g = bindCond(pred, branch(p.onTrue, "t"), branch(p.onFalse, "f"), [...tc, ...fc, ...ops, ...ct]);
    const args = [...tc, ...fc, ...ops];
    return [null, ...g.map((x, i) => (isFloat(args[i]!.dtype) ? x : null))];
  },

  batch(args, dims, p, size) {
    const { tc, fc, ops } = parts(args, p);
    const d = (i: number) => (dims[i] === null ? null : 0);
    const front = toFront(args, dims);
    const fp = parts(front, p);
    const vb = (prog: Program, consts: Tensor[], offset: number) =>
      vmap((...ins: Tensor[]) => prog.run(ins), { inAxes: [...consts.map((_, i) => d(offset + i)), ...ops.map((_, i) => d(1 + tc.length + fc.length + i))] });
    const runT = vb(p.onTrue, tc, 1), runF = vb(p.onFalse, fc, 1 + tc.length);
    if (dims[0] === null) {
      const all = [...fp.tc, ...fp.fc, ...fp.ops];
      const mk = (run: (...a: Tensor[]) => unknown, which: "t" | "f") =>
        closeOver((...ins) => {
          const a = ins.slice(0, tc.length), b = ins.slice(tc.length, tc.length + fc.length), o = ins.slice(tc.length + fc.length);
          return run(...(which === "t" ? a : b), ...o) as Tensor[];
        }, avalsOf(all));
      const outs = bindCond(fp.pred, mk(runT, "t"), mk(runF, "f"), all);
      return [outs, outs.map(() => 0)];
    }
    // A batched predicate: run both branches for every example and select.
    const outT = runT(...fp.tc, ...fp.ops) as Tensor[];
    const outF = runF(...fp.fc, ...fp.ops) as Tensor[];
    const outs = outT.map((a, i) => {
      const pr = lax.reshape(fp.pred, [size, ...new Array(a.ndim - 1).fill(1)]);
      return lax.select(pr, a, outF[i]!);
    });
    return [outs, outs.map(() => 0)];
  },
};

/**
 * `fx.cond(pred, onTrue, onFalse, ...operands)`: `onTrue(...operands)` if pred
 * else `onFalse(...operands)`. Both must return the same structure, shapes and dtypes.
 */
export function cond<R>(pred: Tensor | boolean, onTrue: (...ops: any[]) => R, onFalse: (...ops: any[]) => R, ...operands: unknown[]): R {
  const pr = typeof pred === "boolean" ? toTensor(pred ? 1 : 0, "cond", "bool") : pred;
  if (!(pr instanceof Object) || (pr as Tensor).shape === undefined) throw new ValueError("cond: the predicate must be a bool tensor or boolean");
  const [leaves, def] = flatten(operands);
  const ops = leaves.map((l) => toTensor(l, "cond"));
  let outDef: TreeDef | null = null;
  const trace = (fn: (...o: any[]) => R, name: string) =>
    closeOver((...ins) => {
      const [ol, od] = flatten(fn(...(unflatten(def, ins) as unknown[])));
      if (outDef !== null && defToString(outDef) !== defToString(od)) {
        throw new ShapeError(`cond: ${name} returns ${defToString(od)} but the other branch returns ${defToString(outDef)}`);
      }
      outDef = od;
      return ol.map((l) => toTensor(l, "cond"));
    }, avalsOf(ops));
  const t = trace(onTrue, "onTrue"), f = trace(onFalse, "onFalse");
  return unflatten(outDef!, bindCond(pr as Tensor, t, f, ops)) as R;
}
