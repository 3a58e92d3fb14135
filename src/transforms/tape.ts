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
    // Inputs no gradient flows to (constants) are marked, so rules can skip their cotangents.
    return this.record(prim.name, ins, outs, (cts) => prim.vjp(cts, primals, outs, params, ins.map(isTracked)));
  }

  /** Records a step with a given VJP (used by primitives and by customVjp). */
  record(name: string, ins: GradTracer[], outs: Tensor[], vjp: (cts: MaybeTensor[]) => MaybeTensor[]): GradTracer[] {
    const tracers: GradTracer[] = [];
    if (!ins.some(isTracked)) {
      for (const o of outs) tracers.push(new GradTracer(this, o, -1));
      return tracers;
    }
    const outIds: number[] = [];
    let anyFloat = false;
    for (const o of outs) {
      const id = isFloat(o.dtype) ? this.nextId++ : -1;
      outIds.push(id);
      tracers.push(new GradTracer(this, o, id));
      anyFloat ||= id >= 0;
    }
    if (anyFloat) {
      const inIds: number[] = [];
      const inAvals: Aval[] = [];
      for (const a of ins) {
        inIds.push(a.id);
        inAvals.push({ shape: a.primal.shape, dtype: a.primal.dtype });
      }
      const site = config.debugNans ? userFrame() : undefined;
      this.tape.push({ name, inIds, inAvals, outIds, vjp, site });
    }
    return tracers;
  }

  /**
   * Runs the tape backwards from the given output cotangents and returns the
   * cotangent of each requested id (null where nothing flowed).
   */
  backward(seeds: [number, Tensor][], wanted: number[]): MaybeTensor[] {
    const cts = new Map<number, Tensor>();
    for (const [id, ct] of seeds) if (id >= 0) accumulate(cts, id, ct);
    const keep = new Set(wanted);
    const saved = phase.vjpOf;
    try {
      for (let n = this.tape.length - 1; n >= 0; n--) {
        const node = this.tape[n]!;
        const outCts: MaybeTensor[] = [];
        let anyCt = false;
        for (const id of node.outIds) {
          const ct = id >= 0 ? cts.get(id) ?? null : null;
          outCts.push(ct);
          anyCt ||= ct !== null;
        }
        if (!anyCt) continue;
        for (const id of node.outIds) if (!keep.has(id)) cts.delete(id);
        phase.vjpOf = node;
        const inCts = node.vjp(outCts);
        for (let i = 0; i < node.inIds.length; i++) {
          const id = node.inIds[i]!;
          const ct = inCts[i];
          if (id < 0 || ct === null || ct === undefined) continue;
          const aval = node.inAvals[i]!;
          accumulate(cts, id, lax.cast(lax.unbroadcast(ct, aval.shape), aval.dtype));
        }
      }
    } finally {
      phase.vjpOf = saved;
    }
    return wanted.map((id) => cts.get(id) ?? null);
  }
}

const isTracked = (a: GradTracer) => a.id >= 0;

/** Adds a cotangent into the running total of value `id`. */
function accumulate(cts: Map<number, Tensor>, id: number, ct: Tensor): void {
  const prev = cts.get(id);
  cts.set(id, prev === undefined ? ct : lax.add(prev, ct));
}
