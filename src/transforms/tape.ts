/**
 * Reverse mode as a tape (a "Wengert list"): while f runs, every primitive
 * applied to a GradTracer is recorded with its inputs and outputs; the
 * backward pass walks the tape from the end, applying VJP rules. The rules are
 * written in primitives, so the backward pass is itself traced by any outer
 * transform: grad(grad(f)), jit(grad(f)) and vmap(grad(f)) all work.
 */
import { isFloat } from "../core/dtype.js";
import type { MaybeTensor, Primitive } from "../core/primitive.js";
import { ConcreteTensor, Tensor, type Aval } from "../core/tensor.js";
import { Trace, Tracer, bind } from "../core/trace.js";
import * as lax from "../primitives/lax.js";
import { phase, userFrame } from "../primitives/evaluate.js";
import { config } from "../core/config.js";

export class GradTracer extends Tracer {
  /** `id` < 0: a constant, no gradient flows to it. */
  constructor(readonly trace: GradTrace, readonly primal: Tensor, readonly id: number) {
    super();
  }
  get aval(): Aval {
    return this.primal;
  }
  concrete(): ConcreteTensor {
    return this.primal.concrete();
  }
}

interface TapeNode {
  name: string;
  inIds: number[];
  inAvals: Aval[];
  outIds: number[];
  vjp(cts: MaybeTensor[]): MaybeTensor[];
  /** With config.debugNans: where the user called the op, so a NaN in its VJP can point there. */
  site?: string;
}

export class GradTrace extends Trace {
  readonly kind = "grad";
  readonly tape: TapeNode[] = [];
  private nextId = 0;

  lift(x: Tensor): GradTracer {
    return new GradTracer(this, x, -1);
  }

  /** A tracer that gradients flow to (an argument being differentiated). */
  newInput(x: Tensor): GradTracer {
    return new GradTracer(this, x, this.nextId++);
  }

  process(prim: Primitive, args: Tracer[], params: unknown): Tensor[] {
    const ins = args as GradTracer[];
    const primals = ins.map((a) => a.primal);
    const outs = bind(prim, primals, params);
    return this.record(prim.name, ins, outs, (cts) => prim.vjp(cts, primals, outs, params));
  }

  /** Records a step with a given VJP (used by primitives and by customVjp). */
  record(name: string, ins: GradTracer[], outs: Tensor[], vjp: (cts: MaybeTensor[]) => MaybeTensor[]): GradTracer[] {
    const inIds = ins.map((a) => a.id);
    if (inIds.every((id) => id < 0)) return outs.map((o) => new GradTracer(this, o, -1));
    const outIds = outs.map((o) => (isFloat(o.dtype) ? this.nextId++ : -1));
    if (outIds.some((id) => id >= 0)) {
      const site = config.debugNans ? userFrame() : undefined;
      this.tape.push({ name, inIds, inAvals: ins.map((a) => ({ shape: a.primal.shape, dtype: a.primal.dtype })), outIds, vjp, site });
    }
    return outs.map((o, i) => new GradTracer(this, o, outIds[i]!));
  }

  /**
   * Runs the tape backwards from the given output cotangents and returns the
   * cotangent of each requested id (null where nothing flowed).
   */
  backward(seeds: [number, Tensor][], wanted: number[]): MaybeTensor[] {
    const cts = new Map<number, Tensor>();
    const accumulate = (id: number, ct: Tensor) => {
      const prev = cts.get(id);
      cts.set(id, prev === undefined ? ct : lax.add(prev, ct));
    };
    for (const [id, ct] of seeds) if (id >= 0) accumulate(id, ct);
    const keep = new Set(wanted);
    const saved = phase.label;
    try {
      for (let n = this.tape.length - 1; n >= 0; n--) {
        const node = this.tape[n]!;
        const outCts = node.outIds.map((id) => (id >= 0 ? cts.get(id) ?? null : null));
        if (outCts.every((c) => c === null)) continue;
        for (const id of node.outIds) if (!keep.has(id)) cts.delete(id);
        phase.label = `the backward pass (VJP of ${node.name}${node.site ? `, the ${node.name} called ${node.site}` : ""})`;
        const inCts = node.vjp(outCts);
        node.inIds.forEach((id, i) => {
          const ct = inCts[i];
          if (id < 0 || ct === null || ct === undefined) return;
          const aval = node.inAvals[i]!;
          accumulate(id, lax.cast(lax.unbroadcast(ct, aval.shape), aval.dtype));
        });
      }
    } finally {
      phase.label = saved;
    }
    return wanted.map((id) => cts.get(id) ?? null);
  }
}
