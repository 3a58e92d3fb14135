/** User-defined derivatives (`customVjp`), rematerialization (`checkpoint`) and `stopGradient`. */
import { TransformError, ValueError } from "../core/errors.js";
import type { MaybeTensor } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { Tracer, type Trace } from "../core/trace.js";
import { flatten, map, unflatten } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { GradTrace, GradTracer } from "./tape.js";
import { vjp } from "./grad.js";
import { toTensor } from "./args.js";

export interface CustomVjpRules<R> {
  /** Returns `[output, residuals]`: the output of f and whatever bwd needs. */
  fwd: (...args: any[]) => [unknown, R];
  /** Returns one cotangent per argument of f (null for "no gradient"), given residuals and the output's cotangent. */
  bwd: (residuals: R, ct: any) => unknown[];
}

function topTrace(leaves: unknown[]): Trace | null {
  let top: Trace | null = null;
  for (const l of leaves) if (l instanceof Tracer && (top === null || l.trace.level > top.level)) top = l.trace;
  return top;
}

/**
 * `fx.customVjp(f, { fwd, bwd })`: f with a hand-written reverse-mode rule.
 * The rule is used when `grad`/`vjp` is the innermost transform applied to the
 * call (including under an outer jit); under other transforms f itself is
 * differentiated.
 */
export function customVjp<R>(f: (...args: any[]) => unknown, rules: CustomVjpRules<R>) {
  return (...args: any[]): any => {
    const [leaves, def] = flatten(args);
    const top = topTrace(leaves);
    if (!(top instanceof GradTrace)) return f(...args);
    const tensors = leaves.map((l) => toTensor(l, "customVjp"));
    const ins = tensors.map((t) => (t instanceof GradTracer && t.trace === top ? t : top.lift(t)));
    const primals = unflatten(def, ins.map((t) => t.primal)) as unknown[];
    const [out, residuals] = rules.fwd(...primals);
    const [outLeaves, outDef] = flatten(out);
    const outs = outLeaves.map((o) => toTensor(o, "customVjp"));
    const tracers = top.record("customVjp", ins, outs, (cts: MaybeTensor[]) => {
      const ct = unflatten(outDef, cts.map((c, i) => c ?? lax.zerosLike(outs[i]!)));
      const argCts = rules.bwd(residuals, ct);
      if (!Array.isArray(argCts) || argCts.length !== args.length) {
        throw new TransformError(`customVjp: bwd must return an array with one cotangent per argument (${args.length}), got ${Array.isArray(argCts) ? argCts.length : typeof argCts}`);
      }
      const flat: MaybeTensor[] = [];
      argCts.forEach((c, i) => {
        const n = flatten(args[i])[0].length;
        if (c === null || c === undefined) {
          for (let k = 0; k < n; k++) flat.push(null);
          return;
        }
        const cl = flatten(c)[0];
        if (cl.length !== n) throw new ValueError(`customVjp: bwd's cotangent ${i} has ${cl.length} leaves, argument ${i} has ${n}`);
        for (const x of cl) flat.push(x instanceof Tensor ? x : toTensor(x, "customVjp"));
      });
      return flat;
    });
    return unflatten(outDef, tracers);
  };
}

/**
 * `fx.checkpoint(f)`: same values and gradients as f, but the backward pass
 * recomputes f's intermediates instead of keeping them (memory for compute).
 */
export function checkpoint(f: (...args: any[]) => unknown) {
  return customVjp(f, {
    fwd: (...args: any[]) => [f(...args), args],
    bwd: (args: any[], ct: unknown) => vjp(f, ...args)[1](ct),
  });
}

/** `fx.stopGradient(tree)`: the same values, treated as constants by every derivative. */
export function stopGradient<T>(tree: T): T {
  return map((leaf: unknown) => (leaf instanceof Tensor ? lax.stopGradient(leaf) : leaf), tree);
}
