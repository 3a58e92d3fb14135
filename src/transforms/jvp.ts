/**
 * Forward mode. A JVPTracer carries a primal and its tangent (null = zero);
 * each primitive's JVP rule maps input tangents to output tangents.
 */
import { isFloat } from "../core/dtype.js";
import { TransformError, ValueError, fmtShape } from "../core/errors.js";
import type { MaybeTensor, Primitive } from "../core/primitive.js";
import { ConcreteTensor, Tensor, type Aval } from "../core/tensor.js";
import { Trace, Tracer, bind, withTrace } from "../core/trace.js";
import { flatten, unflatten } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { toTensor } from "./args.js";

export class JVPTracer extends Tracer {
  constructor(readonly trace: JVPTrace, readonly primal: Tensor, readonly tangent: MaybeTensor) {
    super();
  }
  get aval(): Aval {
    return this.primal;
  }
  concrete(): ConcreteTensor {
    return this.primal.concrete();
  }
}

export class JVPTrace extends Trace {
  readonly kind = "jvp";
  lift(x: Tensor): JVPTracer {
    return new JVPTracer(this, x, null);
  }
  process(prim: Primitive, args: Tracer[], params: unknown): Tensor[] {
    const primals = (args as JVPTracer[]).map((a) => a.primal);
    const tangents = (args as JVPTracer[]).map((a) => a.tangent);
    const outs = bind(prim, primals, params);
    if (tangents.every((t) => t === null)) return outs.map((o) => new JVPTracer(this, o, null));
    const touts = prim.jvp(primals, tangents, params, outs);
    return outs.map((o, i) => new JVPTracer(this, o, fitTangent(touts[i] ?? null, o)));
  }
}

/** Tangents come back at the output's shape and dtype (rules may return a broadcastable one). */
function fitTangent(t: MaybeTensor, out: Tensor): MaybeTensor {
  if (t === null || !isFloat(out.dtype)) return null;
  const shaped = lax.broadcastTo(t, out.shape);
  return lax.cast(shaped, out.dtype);
}

/**
 * `fx.jvp(f, primals, tangents)` → `[out, tangentOut]`, both with the structure of f's output.
 * Tangents have the structure, shapes and dtypes of the primals.
 */
export function jvp(f: (...args: any[]) => unknown, primals: unknown[], tangents: unknown[]): [any, any] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) throw new ValueError("jvp: primals and tangents must be arrays (one entry per argument of f)");
  const [pLeaves, pDef] = flatten(primals);
  const [tLeaves] = flatten(tangents);
  if (pLeaves.length !== tLeaves.length) {
    throw new ValueError(`jvp: got ${tLeaves.length} tangent leaves for ${pLeaves.length} primal leaves`);
  }
  return withTrace((level) => new JVPTrace(level), (trace) => {
    const inputs = pLeaves.map((p, i) => {
      const pt = toTensor(p, "jvp");
      const tt = toTensor(tLeaves[i]!, "jvp", pt.dtype);
      if (tt.shape.length !== pt.shape.length || tt.shape.some((d, k) => d !== pt.shape[k])) {
        throw new ValueError(`jvp: tangent ${i} has shape ${fmtShape(tt.shape)} but its primal has shape ${fmtShape(pt.shape)}`);
      }
      return new JVPTracer(trace, pt, tt);
    });
    const out = f(...(unflatten(pDef, inputs) as unknown[]));
    const [oLeaves, oDef] = flatten(out);
    const outP: unknown[] = [];
    const outT: unknown[] = [];
    for (const o of oLeaves) {
      if (o instanceof JVPTracer && o.trace === trace) {
        outP.push(o.primal);
        outT.push(o.tangent ?? lax.zerosLike(o.primal));
      } else {
        if (!(o instanceof Tensor)) throw new TransformError("jvp: f must return tensors (or pytrees of tensors)");
        outP.push(o);
        outT.push(lax.zerosLike(o));
      }
    }
    return [unflatten(oDef, outP), unflatten(oDef, outT)];
  });
}

/** Forward mode over flat lists (null tangent = zero), for rules of higher-order primitives. */
export function jvpFlat(fn: (...xs: Tensor[]) => Tensor[], primals: Tensor[], tangents: MaybeTensor[]): [Tensor[], Tensor[]] {
  return withTrace((level) => new JVPTrace(level), (trace) => {
    const ins = primals.map((p, i) => new JVPTracer(trace, p, tangents[i] ?? null));
    const outs = fn(...ins);
    const own = (o: Tensor): o is JVPTracer => o instanceof JVPTracer && o.trace === trace;
    return [
      outs.map((o) => (own(o) ? o.primal : o)),
      outs.map((o) => (own(o) ? o.tangent ?? lax.zerosLike(o.primal) : lax.zerosLike(o))),
    ];
  });
}
