/** `vjp`, `grad` and `valueAndGrad`, built on the tape. */
import { isFloat } from "../core/dtype.js";
import { DTypeError, TransformError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { withTrace } from "../core/trace.js";
import { flatten, mapTensors, unflatten, type TreeDef } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { GradTrace, GradTracer } from "./tape.js";
import { toTensor } from "./args.js";

export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). */
  argnums?: number | number[];
  /** f returns `[value, aux]`; aux is passed through, not differentiated. */
  hasAux?: boolean;
}

interface Linearized {
  out: unknown;
  outLeaves: Tensor[];
  outDef: TreeDef;
  aux: unknown;
  /** Cotangents of the output leaves → cotangents of the differentiated arguments, per argnum. */
  pullback(cts: Tensor[]): unknown[];
}

/** Runs f with the arguments at `argnums` traced for reverse mode. */
function linearize(op: string, f: (...a: any[]) => unknown, args: unknown[], argnums: number[], hasAux: boolean): Linearized {
  for (const a of argnums) {
    if (!Number.isInteger(a) || a < 0 || a >= args.length) {
      throw new ValueError(`${op}: argnums ${a} is out of range for a call with ${args.length} argument(s)`);
    }
  }
  return withTrace((level) => new GradTrace(level), (trace) => {
    const callArgs = [...args];
    const inputs: { def: TreeDef; tracers: GradTracer[] }[] = [];
    for (const a of argnums) {
      const [leaves, def] = flatten(args[a]);
      const tracers = leaves.map((leaf, i) => {
        const t = toTensor(leaf, op);
        if (!isFloat(t.dtype)) {
          throw new DTypeError(`${op}: can only differentiate float inputs, but leaf ${i} of argument ${a} is ${t.dtype}${fmtShape(t.shape)} (cast it with astype("float32"))`);
        }
        return trace.newInput(t);
      });
      inputs.push({ def, tracers });
      callArgs[a] = unflatten(def, tracers);
    }
    let out = f(...callArgs);
    let aux: unknown = undefined;
    if (hasAux) {
      if (!Array.isArray(out) || out.length !== 2) throw new TransformError(`${op}: with hasAux, f must return [value, aux]`);
      [out, aux] = out;
    }
    const [outLeaves, outDef] = flatten(out);
    const leaves = outLeaves.map((l) => toTensor(l, op));
    const outIds = leaves.map((t) => (t instanceof GradTracer && t.trace === trace ? t.id : -1));
    const primalLeaves = leaves.map((t) => primalOf(t, trace));
    const primalOut = unflatten(outDef, primalLeaves);
    const auxOut = hasAux ? mapTensors((t) => primalOf(t, trace), aux) : undefined;
    return {
      out: primalOut,
      outLeaves: primalLeaves,
      outDef,
      aux: auxOut,
      pullback(cts: Tensor[]) {
        const wanted: number[] = [];
        for (const inp of inputs) for (const t of inp.tracers) wanted.push(t.id);
        const grads = trace.backward(outIds.map((id, i) => [id, cts[i]!]), wanted);
        let k = 0;
        return inputs.map((inp) =>
          unflatten(inp.def, inp.tracers.map((t) => grads[k++] ?? lax.zerosLike(t.primal))),
        );
      },
    };
  });
}

/** The value behind a tracer of `trace`; anything else as it is. */
function primalOf(t: Tensor, trace: GradTrace): Tensor {
  return t instanceof GradTracer && t.trace === trace ? t.primal : t;
}

function normalizeArgnums(argnums: number | number[] | undefined): [number[], boolean] {
  if (argnums === undefined) return [[0], true];
  if (typeof argnums === "number") return [[argnums], true];
  return [argnums, false];
}

function checkScalar(op: string, out: Tensor[]): Tensor {
  if (out.length !== 1) throw new TransformError(`${op}: f must return a single scalar tensor, got a tree of ${out.length} leaves`);
  const y = out[0]!;
  if (y.shape.length !== 0) {
    throw new TransformError(`${op}: f must return a scalar (shape []), got shape ${fmtShape(y.shape)}. Reduce it (e.g. .sum() or .mean()), or use vjp/jacrev for non-scalar outputs`);
  }
  if (!isFloat(y.dtype)) throw new DTypeError(`${op}: f must return a float scalar, got ${y.dtype}`);
  return y;
}

/**
 * `fx.valueAndGrad(f, opts)(...args)` → `[value, grads]` (or `[[value, aux], grads]` with hasAux).
 * grads has the structure of the argument at `argnums` (an array of them if argnums is an array).
 */
export function valueAndGrad(f: (...a: any[]) => unknown, opts: GradOptions = {}) {
  const [argnums, single] = normalizeArgnums(opts.argnums);
  const hasAux = opts.hasAux ?? false;
  return (...args: any[]): [any, any] => {
    const lin = linearize("grad", f, args, argnums, hasAux);
    const y = checkScalar("grad", lin.outLeaves);
    const grads = lin.pullback([lax.broadcastTo(lax.cst(1, y), [])]);
    const g = single ? grads[0] : grads;
    return [hasAux ? [lin.out, lin.aux] : lin.out, g];
  };
}

/** `fx.grad(f, opts)`: the gradient of a scalar-valued f (with aux: `[grads, aux]`). */
export function grad(f: (...a: any[]) => unknown, opts: GradOptions = {}) {
  const vg = valueAndGrad(f, opts);
  return (...args: any[]): any => {
    const [value, g] = vg(...args);
    return opts.hasAux ? [g, (value as unknown[])[1]] : g;
  };
}

/**
 * `fx.vjp(f, ...primals)` → `[out, vjpFn]`; `vjpFn(cotangent)` returns one
 * cotangent per primal. The cotangent has the structure of f's output.
 */
export function vjp(f: (...a: any[]) => unknown, ...primals: any[]): [any, (ct: unknown) => any[]] {
  const lin = linearize("vjp", f, primals, primals.map((_, i) => i), false);
  const vjpFn = (ct: unknown) => {
    const [ctLeaves] = flatten(ct);
    if (ctLeaves.length !== lin.outLeaves.length) {
      throw new ValueError(`vjp: the cotangent has ${ctLeaves.length} leaves but f's output has ${lin.outLeaves.length}`);
    }
    const cts = ctLeaves.map((c, i) => {
      const o = lin.outLeaves[i]!;
      const t = toTensor(c, "vjp", o.dtype);
      if (t.shape.length !== o.shape.length || t.shape.some((d, k) => d !== o.shape[k])) {
        throw new ValueError(`vjp: cotangent ${i} has shape ${fmtShape(t.shape)} but the output has shape ${fmtShape(o.shape)}`);
      }
      return t;
    });
    return lin.pullback(cts);
  };
  return [lin.out, vjpFn];
}

/**
 * Reverse mode over flat lists, for rules of higher-order primitives: non-float
 * inputs are constants (their cotangent is null), and null output cotangents are zeros.
 */
export function vjpFlat(fn: (...xs: Tensor[]) => Tensor[], primals: Tensor[]): [Tensor[], (cts: (Tensor | null)[]) => (Tensor | null)[]] {
  return withTrace((level) => new GradTrace(level), (trace) => {
    const ins = primals.map((p) => (isFloat(p.dtype) ? trace.newInput(p) : trace.lift(p)));
    const outs = fn(...ins);
    const own = (o: Tensor): o is GradTracer => o instanceof GradTracer && o.trace === trace;
    const outIds = outs.map((o) => (own(o) ? o.id : -1));
    const primalOuts = outs.map((o) => (own(o) ? o.primal : o));
    const pullback = (cts: (Tensor | null)[]) => {
      const seeds: [number, Tensor][] = [];
      outIds.forEach((id, i) => {
        const c = cts[i];
        if (id >= 0 && c) seeds.push([id, c]);
      });
      return trace.backward(seeds, ins.map((t) => t.id));
    };
    return [primalOuts, pullback];
  });
}
