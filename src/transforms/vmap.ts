/**
 * Vectorizing map. A BatchTracer is a value with one extra axis (its batch
 * axis, or null when the value does not vary across the batch); each
 * primitive's batching rule says how to apply it to such values.
 */
import { ShapeError, TransformError, ValueError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { normalizeAxis } from "../core/shape.js";
import { ConcreteTensor, Tensor, type Aval } from "../core/tensor.js";
import { Trace, Tracer, bind, withTrace } from "../core/trace.js";
import { flatten, unflatten } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { toTensor } from "./args.js";

export class BatchTracer extends Tracer {
  constructor(readonly trace: BatchTrace, readonly val: Tensor, readonly bdim: number | null) {
    super();
  }
  get aval(): Aval {
    if (this.bdim === null) return this.val;
    return { shape: this.val.shape.filter((_, i) => i !== this.bdim), dtype: this.val.dtype };
  }
  concrete(): ConcreteTensor {
    throw new TransformError(
      `vmap: cannot read the values of a batched tensor inside the vmapped function (it stands for ${this.trace.axisSize} different examples); return it instead`,
    );
  }
}

export class BatchTrace extends Trace {
  readonly kind = "vmap";
  constructor(level: number, readonly axisSize: number) {
    super(level);
  }
  lift(x: Tensor): BatchTracer {
    return new BatchTracer(this, x, null);
  }
  process(prim: Primitive, args: Tracer[], params: unknown): Tensor[] {
    const vals = (args as BatchTracer[]).map((a) => a.val);
    const dims = (args as BatchTracer[]).map((a) => a.bdim);
    if (dims.every((d) => d === null)) return bind(prim, vals, params).map((o) => new BatchTracer(this, o, null));
    const [outs, outDims] = prim.batch(vals, dims, params, this.axisSize);
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i] ?? null));
  }
}

export interface VmapOptions {
  /** Per argument: the axis to map over, or null to pass it unchanged to every example. Default 0. */
  inAxes?: number | null | (number | null)[];
  /** Where the mapped axis goes in each output (a number for all, or one per top-level output). Default 0. */
  outAxes?: number | number[];
}

/** `fx.vmap(f, opts)`: f applied to each slice along `inAxes`, results stacked along `outAxes`. */
export function vmap(f: (...a: any[]) => unknown, opts: VmapOptions = {}) {
  return (...args: any[]): any => {
    const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
    const axesPerArg = Array.isArray(inAxes) ? inAxes : args.map(() => inAxes);
    if (axesPerArg.length !== args.length) {
      throw new ValueError(`vmap: inAxes has ${axesPerArg.length} entries but the function got ${args.length} arguments`);
    }
    let size: number | null = null;
    const sizes: string[] = [];
    const prepared = args.map((arg, i) => {
      const ax = axesPerArg[i];
      if (ax === null || ax === undefined) return { leaves: null, def: null, arg };
      const [leaves, def] = flatten(arg);
      const tensors = leaves.map((l) => toTensor(l, "vmap"));
      const axes = tensors.map((t) => {
        if (t.shape.length === 0) throw new ShapeError(`vmap: argument ${i} has a rank-0 leaf, which has no axis ${ax} to map over`);
        const a = normalizeAxis("vmap", ax, t.shape.length);
        const n = t.shape[a]!;
        if (size === null) size = n;
        sizes.push(`argument ${i}: ${fmtShape(t.shape)} axis ${ax}`);
        if (n !== size) throw new ShapeError(`vmap: mapped axes have different sizes (${sizes.join("; ")})`);
        return a;
      });
      return { leaves: tensors, axes, def, arg };
    });
    if (size === null) throw new ValueError("vmap: no argument is mapped (every inAxes entry is null)");
    const axisSize: number = size;
    return withTrace((level) => new BatchTrace(level, axisSize), (trace) => {
      const callArgs = prepared.map((p) =>
        p.leaves === null ? p.arg : unflatten(p.def!, p.leaves.map((t, k) => new BatchTracer(trace, t, p.axes![k]!))),
      );
      const out = f(...callArgs);
      const finish = (o: unknown, outAxis: number) => {
        const [leaves, def] = flatten(o);
        return unflatten(def, leaves.map((leaf) => unbatch(trace, toTensor(leaf, "vmap"), outAxis)));
      };
      if (Array.isArray(opts.outAxes)) {
        const axes = opts.outAxes;
        if (!Array.isArray(out) || out.length !== axes.length) {
          throw new ValueError(`vmap: outAxes has ${axes.length} entries but f returned ${Array.isArray(out) ? `${out.length} outputs` : "a single output"}`);
        }
        return out.map((o, i) => finish(o, axes[i]!));
      }
      return finish(out, opts.outAxes ?? 0);
    });
  };
}

/** Turns an output into a plain tensor with the batch axis at `outAxis`. */
function unbatch(trace: BatchTrace, t: Tensor, outAxis: number): Tensor {
  let val: Tensor;
  let bdim: number | null;
  if (t instanceof BatchTracer && t.trace === trace) {
    val = t.val;
    bdim = t.bdim;
  } else {
    val = t;
    bdim = null;
  }
  if (bdim === null) {
    val = lax.broadcastTo(lax.reshape(val, [1, ...val.shape]), [trace.axisSize, ...val.shape]);
    bdim = 0;
  }
  const dest = normalizeAxis("vmap outAxes", outAxis, val.shape.length);
  return lax.moveAxis(val, bdim, dest);
}
