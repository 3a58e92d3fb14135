/**
 * The IR that `jit` traces to: a straight-line list of primitive applications
 * over numbered variables (JAX calls it a jaxpr). Printing a Program shows
 * exactly what a jitted function computes.
 */
import type { Primitive } from "../core/primitive.js";
import type { Aval, Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";

export interface Equation {
  prim: Primitive;
  params: unknown;
  inputs: number[];
  outputs: number[];
}

export class Program {
  constructor(
    readonly avals: Aval[],
    readonly inputs: number[],
    readonly consts: Map<number, Tensor>,
    readonly eqns: Equation[],
    readonly outputs: number[],
  ) {}

  /** Runs the program on its inputs by binding each primitive (so outer transforms see them). */
  run(args: Tensor[]): Tensor[] {
    const env = new Map<number, Tensor>(this.consts);
    this.inputs.forEach((v, i) => env.set(v, args[i]!));
    for (const eq of this.eqns) {
      const outs = bind(eq.prim, eq.inputs.map((v) => env.get(v)!), eq.params);
      eq.outputs.forEach((v, i) => env.set(v, outs[i]!));
    }
    return this.outputs.map((v) => env.get(v)!);
  }

  /** Drops equations whose results no output needs. */
  withoutDeadCode(): Program {
    const live = new Set(this.outputs);
    const kept: Equation[] = [];
    for (let i = this.eqns.length - 1; i >= 0; i--) {
      const eq = this.eqns[i]!;
      if (eq.outputs.some((v) => live.has(v))) {
        kept.push(eq);
        for (const v of eq.inputs) live.add(v);
      }
    }
    kept.reverse();
    const consts = new Map([...this.consts].filter(([v]) => live.has(v)));
    return new Program(this.avals, this.inputs, consts, kept, this.outputs);
  }

  toString(): string {
    const name = (v: number) => `v${v}`;
    const typed = (v: number) => `${name(v)}:${this.avals[v]!.dtype}[${this.avals[v]!.shape.join(",")}]`;
    const lines = [`{ lambda ${this.inputs.map(typed).join(" ")} ;`];
    for (const [v] of this.consts) lines.push(`    ${typed(v)} = const`);
    for (const eq of this.eqns) {
      const params = JSON.stringify(eq.params);
      const p = params && params !== "{}" ? ` ${params}` : "";
      lines.push(`    ${eq.outputs.map(typed).join(" ")} = ${eq.prim.name}${p} ${eq.inputs.map(name).join(" ")}`);
    }
    lines.push(`  in ( ${this.outputs.map(name).join(" ")} ) }`);
    return lines.join("\n");
  }
}
