/**
 * `scan`: a loop carrying state, as one primitive. Its body is traced once
 * into a Program, so `jit` compiles it once instead of unrolling, `grad` runs
 * a second (reverse) scan, `jvp` scans the body's JVP and `vmap` scans the
 * vmapped body.
 *
 *   // cumulative sum: carry the running total, emit it at each step
 *   const [total, partial] = fx.scan((c, x) => [c.add(x), c.add(x)], fx.tensor(0), fx.tensor([1, 2, 3]));
 */
import { isFloat } from "../core/dtype.js";
import { ShapeError, ValueError } from "../core/errors.js";
import type { MaybeTensor, Primitive } from "../core/primitive.js";
import type { Aval, Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { flatten, unflatten } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { broadcastBatch, toFront } from "../primitives/batching.js";
import { closeOver } from "../transforms/closure.js";
import { jvpFlat } from "../transforms/jvp.js";
import { vjpFlat } from "../transforms/grad.js";
import { vmap } from "../transforms/vmap.js";
import type { Program } from "../transforms/program.js";
import { toTensor } from "../transforms/args.js";
import { asFn, avalsOf, describeAval, indexAt, sameAval, stackAxis0, zerosOr } from "./common.js";

export interface ScanParams {
  /** Inputs: consts, carry, one slice of each xs. Outputs: new carry, one slice of each ys. */
  body: Program;
  numConsts: number;
  numCarry: number;
  length: number;
  reverse: boolean;
}

function split<T>(xs: T[], p: ScanParams): [T[], T[], T[]] {
  return [xs.slice(0, p.numConsts), xs.slice(p.numConsts, p.numConsts + p.numCarry), xs.slice(p.numConsts + p.numCarry)];
}

const bodyOutAvals = (p: ScanParams): Aval[] => p.body.outputs.map((v) => p.body.avals[v]!);
const sliceAval = (x: Aval): Aval => ({ shape: x.shape.slice(1), dtype: x.dtype });

function bindScan(args: Tensor[], p: ScanParams): Tensor[] {
  return bind(scanPrimitive, args, p);
}

export const scanPrimitive: Primitive<ScanParams> = {
  name: "scan",
  abstractEval(args, p) {
    const [, carry, xs] = split([...args], p);
    for (const [i, x] of xs.entries()) {
      if (x.shape.length === 0 || x.shape[0] !== p.length) {
        throw new ShapeError(`scan: xs leaf ${i} has shape [${x.shape.join(", ")}] but the scan has length ${p.length} (every xs leaf needs it as axis 0)`);
      }
    }
    const outs = bodyOutAvals(p);
    const newCarry = outs.slice(0, p.numCarry);
    newCarry.forEach((a, i) => {
      if (!sameAval(a, carry[i]!)) {
        throw new ShapeError(`scan: the body changed carry leaf ${i} from ${describeAval(carry[i]!)} to ${describeAval(a)}; the carry must keep its shape and dtype`);
      }
    });
    return [...avalsOf(carry), ...outs.slice(p.numCarry).map((a) => ({ shape: [p.length, ...a.shape], dtype: a.dtype }))];
  },

  impl(args, p) {
    const [consts, init, xs] = split(args, p);
    let carry = init;
    const ysPerStep: Tensor[][] = new Array(p.length);
    for (let i = 0; i < p.length; i++) {
      const t = p.reverse ? p.length - 1 - i : i;
      const outs = p.body.run([...consts, ...carry, ...xs.map((x) => indexAt(x, t))]);
      carry = outs.slice(0, p.numCarry);
      ysPerStep[t] = outs.slice(p.numCarry);
    }
    const yAvals = bodyOutAvals(p).slice(p.numCarry);
    const ys = yAvals.map((a, k) => stackAxis0(ysPerStep.map((step) => step[k]!), a));
    return [...carry, ...ys];
  },

  jvp(primals, tangents, p) {
    const [consts, init, xs] = split(primals, p);
    const [tConsts, tInit, tXs] = split(tangents, p);
    const nc = p.numCarry;
    // Carry tangents are always carried (a zero tangent can become non-zero after a step); others only when non-zero.
    const constT = consts.map((c, i) => (tConsts[i] && isFloat(c.dtype) ? i : -1)).filter((i) => i >= 0);
    const xsT = xs.map((x, i) => (tXs[i] && isFloat(x.dtype) ? i : -1)).filter((i) => i >= 0);
    const body = asFn(p.body);
    const avals = [
      ...avalsOf(consts), ...constT.map((i) => consts[i]!), ...avalsOf(init), ...avalsOf(init),
      ...xs.map(sliceAval), ...xsT.map((i) => sliceAval(xs[i]!)),
    ];
    const closed = closeOver((...ins) => {
      let k = 0;
      const take = (n: number) => ins.slice(k, (k += n));
      const c = take(consts.length), tc = take(constT.length), carry = take(nc), tcarry = take(nc);
      const xsl = take(xs.length), txsl = take(xsT.length);
      const cT: MaybeTensor[] = consts.map(() => null);
      constT.forEach((i, j) => (cT[i] = tc[j]!));
      const xT: MaybeTensor[] = xs.map(() => null);
      xsT.forEach((i, j) => (xT[i] = txsl[j]!));
      const [outs, touts] = jvpFlat(body, [...c, ...carry, ...xsl], [...cT, ...tcarry, ...xT]);
      return [...outs.slice(0, nc), ...touts.slice(0, nc), ...outs.slice(nc), ...touts.slice(nc)];
    }, avals);
    const args = [
      ...closed.consts, ...consts, ...constT.map((i) => tConsts[i]!),
      ...init, ...init.map((x, i) => zerosOr(tInit[i], x)),
      ...xs, ...xsT.map((i) => tXs[i]!),
    ];
    const outs = bindScan(args, {
      body: closed.program, numConsts: closed.consts.length + consts.length + constT.length,
      numCarry: 2 * nc, length: p.length, reverse: p.reverse,
    });
    const carryOut = outs.slice(0, nc), tCarryOut = outs.slice(nc, 2 * nc);
    const rest = outs.slice(2 * nc);
    const half = rest.length / 2;
    return [...tCarryOut, ...rest.slice(half)].map((t, i) => (isFloat((i < nc ? carryOut[i]! : rest[i - nc]!).dtype) ? t : null));
  },

  vjp(cts, primals, _outs, p) {
    const [consts, init, xs] = split(primals, p);
    const nc = p.numCarry;
    const body = asFn(p.body);
    const yAvals = bodyOutAvals(p).slice(nc);
    // 1. Re-run the forward scan, also emitting the carry that enters each step.
    const fwd = closeOver((...ins) => [...body(...ins), ...ins.slice(consts.length, consts.length + nc)], [
      ...avalsOf(consts), ...avalsOf(init), ...xs.map(sliceAval),
    ]);
    const fwdOuts = bindScan([...fwd.consts, ...consts, ...init, ...xs], {
      body: fwd.program, numConsts: fwd.consts.length + consts.length, numCarry: nc, length: p.length, reverse: p.reverse,
    });
    const carriesIn = fwdOuts.slice(nc + yAvals.length);
    // 2. Scan backwards: carry the carry's cotangent and the sum of the constants' cotangents.
    const floatConsts = consts.map((c, i) => (isFloat(c.dtype) ? i : -1)).filter((i) => i >= 0);
    const ctCarry0 = init.map((x, i) => zerosOr(cts[i], x));
    const ctYs = yAvals.map((a, k) => zerosOr(cts[nc + k], { shape: [p.length, ...a.shape], dtype: a.dtype }));
    const back = closeOver((...ins) => {
      let k = 0;
      const take = (n: number) => ins.slice(k, (k += n));
      const c = take(consts.length), ctc = take(nc), acc = take(floatConsts.length);
      const carry = take(nc), xsl = take(xs.length), cty = take(yAvals.length);
      const [, pull] = vjpFlat(body, [...c, ...carry, ...xsl]);
      const g = pull([...ctc, ...cty]);
      const gConsts = g.slice(0, consts.length), gCarry = g.slice(consts.length, consts.length + nc), gX = g.slice(consts.length + nc);
      return [
        ...gCarry.map((t, i) => zerosOr(t, carry[i]!)),
        ...floatConsts.map((ci, j) => (gConsts[ci] ? lax.add(acc[j]!, gConsts[ci]!) : acc[j]!)),
        ...gX.map((t, i) => zerosOr(t, xsl[i]!)),
      ];
    }, [
      ...avalsOf(consts), ...avalsOf(init), ...floatConsts.map((i) => consts[i]!),
      ...avalsOf(init), ...xs.map(sliceAval), ...yAvals,
    ]);
    const backOuts = bindScan([
      ...back.consts, ...consts, ...ctCarry0, ...floatConsts.map((i) => lax.zerosLike(consts[i]!)),
      ...carriesIn, ...xs, ...ctYs,
    ], {
      body: back.program, numConsts: back.consts.length + consts.length, numCarry: nc + floatConsts.length,
      length: p.length, reverse: !p.reverse,
    });
    const ctInit = backOuts.slice(0, nc);
    const ctConstAcc = backOuts.slice(nc, nc + floatConsts.length);
    const ctXs = backOuts.slice(nc + floatConsts.length);
    const ctConsts: MaybeTensor[] = consts.map(() => null);
    floatConsts.forEach((ci, j) => (ctConsts[ci] = ctConstAcc[j]!));
    const floatOr = (t: Tensor, like: Aval) => (isFloat(like.dtype) ? t : null);
    return [...ctConsts, ...ctInit.map((t, i) => floatOr(t, init[i]!)), ...ctXs.map((t, i) => floatOr(t, xs[i]!))];
  },

  batch(args, dims, p, size) {
    const [consts, init, xs] = split(args, p);
    const [cDims, , xDims] = split(dims, p);
    const nc = p.numCarry;
    const constsB = toFront(consts, cDims);
    // The carry becomes batched after one step if anything is, so batch it from the start.
    const initB = init.map((x, i) => (dims[p.numConsts + i] === null ? broadcastBatch(x, size) : toFront([x], [dims[p.numConsts + i]!])[0]!));
    // Batched xs keep the scan axis first and put the batch axis second.
    const xsB = xs.map((x, i) => (xDims[i] === null ? x : lax.moveAxis(x, xDims[i]!, 1)));
    const inAxes = [...cDims.map((d) => (d === null ? null : 0)), ...init.map(() => 0), ...xDims.map((d) => (d === null ? null : 0))];
    const body = asFn(p.body);
    const vbody = vmap((...ins: Tensor[]) => body(...ins), { inAxes });
    const sliceAvals = xsB.map((x, i) => (xDims[i] === null ? sliceAval(x) : sliceAval(x)));
    const closed = closeOver((...ins) => vbody(...ins) as Tensor[], [...avalsOf(constsB), ...avalsOf(initB), ...sliceAvals]);
    const outs = bindScan([...closed.consts, ...constsB, ...initB, ...xsB], {
      body: closed.program, numConsts: closed.consts.length + consts.length, numCarry: nc, length: p.length, reverse: p.reverse,
    });
    return [outs, outs.map((_, i) => (i < nc ? 0 : 1))];
  },
};

export interface ScanOptions {
  /** Number of steps; required when xs is null, otherwise checked against xs. */
  length?: number;
  /** Run from the last element to the first (ys stay in input order). */
  reverse?: boolean;
}

/**
 * `fx.scan(f, init, xs)`: `f(carry, x) → [newCarry, y]` applied along axis 0 of xs;
 * returns `[finalCarry, ys]` with ys stacked along axis 0. carry, x and y may be pytrees.
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => [C, Y], init: C, xs: X | null, opts: ScanOptions = {}): [C, Y] {
  const [initLeaves, carryDef] = flatten(init);
  const carry = initLeaves.map((l) => toTensor(l, "scan"));
  const [xLeaves, xDef] = xs === null || xs === undefined ? [[], null] : flatten(xs);
  const xsT = xLeaves.map((l) => toTensor(l, "scan"));
  let length = opts.length;
  for (const [i, x] of xsT.entries()) {
    if (x.ndim === 0) throw new ShapeError(`scan: xs leaf ${i} is a scalar; each xs leaf needs a leading axis to scan over`);
    if (length === undefined) length = x.shape[0];
    else if (x.shape[0] !== length) throw new ShapeError(`scan: xs leaf ${i} has length ${x.shape[0]} along axis 0, expected ${length}`);
  }
  if (length === undefined) throw new ValueError("scan: give xs or opts.length");
  let yDef: ReturnType<typeof flatten>[1] | null = null;
  const closed = closeOver((...ins) => {
    const c = unflatten(carryDef, ins.slice(0, carry.length)) as C;
    const x = (xDef === null ? null : unflatten(xDef, ins.slice(carry.length))) as X;
    const out = f(c, x);
    if (!Array.isArray(out) || out.length !== 2) throw new ValueError("scan: f must return [newCarry, y]");
    const [newCarry, y] = out;
    const [cl] = flatten(newCarry);
    if (cl.length !== carry.length) throw new ShapeError(`scan: f returned a carry with ${cl.length} leaves, expected ${carry.length} (structure must not change)`);
    const [yl, ydef] = flatten(y);
    yDef = ydef;
    return [...cl, ...yl].map((l) => toTensor(l, "scan"));
  }, [...avalsOf(carry), ...xsT.map(sliceAval)]);
  const outs = bindScan([...closed.consts, ...carry, ...xsT], {
    body: closed.program, numConsts: closed.consts.length, numCarry: carry.length, length, reverse: opts.reverse ?? false,
  });
  return [unflatten(carryDef, outs.slice(0, carry.length)) as C, unflatten(yDef!, outs.slice(carry.length)) as Y];
}
