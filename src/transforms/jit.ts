/**
 * `jit`: trace a function once per input signature (shapes, dtypes, tree
 * structure, static arguments) into a Program, optimize it, cache it, and run
 * the cached Program on later calls without re-running the JavaScript.
 */
import type { TypedArray } from "../core/dtype.js";
import { ValueError } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { ConcreteTensor, Tensor, type Aval } from "../core/tensor.js";
import { Trace, Tracer, concretizationError, withTrace } from "../core/trace.js";
import { defToString, flatten, unflatten, type TreeDef } from "../core/tree.js";
import { Program, type Equation } from "./program.js";
import { allConcrete, compileProgram, type Executable } from "./compile/executable.js";
import { config } from "../core/config.js";
import { getBackend } from "../backend/registry.js";
import { toTensor } from "./args.js";

export class JitTracer extends Tracer {
  constructor(readonly trace: JitTrace, readonly aval: Aval, readonly id: number) {
    super();
  }
  concrete(): ConcreteTensor {
    return (() => {
      throw concretizationError(`reading a ${this.aval.dtype}[${this.aval.shape.join(",")}] value inside jit`);
    })();
  }
}

export class JitTrace extends Trace {
  readonly kind = "jit";
  readonly avals: Aval[] = [];
  readonly consts = new Map<number, Tensor>();
  readonly eqns: Equation[] = [];
  private constIds = new Map<Tensor, JitTracer>();

  newVar(aval: Aval): JitTracer {
    const id = this.avals.length;
    this.avals.push({ shape: [...aval.shape], dtype: aval.dtype });
    return new JitTracer(this, this.avals[id]!, id);
  }

  /** A value from outside (a concrete constant or an outer transform's tracer) becomes a constant of the program. */
  lift(x: Tensor): JitTracer {
    const seen = this.constIds.get(x);
    if (seen) return seen;
    const v = this.newVar(x);
    this.consts.set(v.id, x);
    this.constIds.set(x, v);
    return v;
  }

  process(prim: Primitive, args: Tracer[], params: unknown): Tensor[] {
    const ins = args as JitTracer[];
    const outAvals = prim.abstractEval(ins.map((a) => a.aval), params);
    const outs = outAvals.map((a) => this.newVar(a));
    this.eqns.push({ prim, params, inputs: ins.map((a) => a.id), outputs: outs.map((o) => o.id) });
    return outs;
  }
}

const LEAF: TreeDef = { kind: "leaf" };

export interface JitOptions {
  /** Positions of arguments that are compile-time constants (any JSON-able value); a new value retraces. */
  staticArgnums?: number[];
  /**
   * Positions of arguments (tensors or pytrees of tensors) whose storage the
   * compiled function may reuse for its results, as JAX's donate_argnums: a
   * training step that returns new parameters and optimizer state then
   * writes them over the old ones instead of allocating. The donated tensors
   * cannot be used after the call (DisposedError), unless returned unchanged.
   */
  donateArgnums?: number[];
}

interface Compiled {
  program: Program;
  /**
   * The program compiled for concrete inputs on the backend it was built for
   * (built on first use, again after `setBackend`: kernels and fused loops
   * are the backend's).
   */
  executable?: { backend: string; run: Executable };
  /** The same, allowed to write over the donated inputs. */
  donating?: { backend: string; run: Executable };
  outDef: TreeDef;
  /** False when the program captured a tracer of an outer transform: valid for one call only. */
  reusable: boolean;
}

export interface Jitted<F extends (...a: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The traced program for these arguments (for inspection and teaching). */
  trace(...args: Parameters<F>): Program;
  /** How many distinct signatures were traced so far. */
  readonly cacheSize: number;
}

export function jit<F extends (...a: any[]) => any>(f: F, opts: JitOptions = {}): Jitted<F> {
  const statics = new Set(opts.staticArgnums ?? []);
  const donate = new Set(opts.donateArgnums ?? []);
  for (const i of donate) {
    if (statics.has(i)) throw new ValueError(`jit: argument ${i} cannot be both static and donated`);
  }
  const cache = new Map<string, Compiled>();

  const prepare = (args: unknown[]) => {
    // Fast path: every argument a tensor, none static (the common hot-loop call).
    if (statics.size === 0 && args.every((a) => a instanceof Tensor)) {
      const ts = args as Tensor[];
      let key = "t";
      for (const t of ts) key += `|${t.dtype}[${t.shape.join(",")}]`;
      const donated = [...donate].filter((i) => i < ts.length);
      return { dynamic: ts, defs: ts.map(() => LEAF), key, donated };
    }
    const dynamic: Tensor[] = [];
    const defs: (TreeDef | null)[] = [];
    const keyParts: string[] = [];
    const donated: number[] = [];
    args.forEach((a, i) => {
      if (statics.has(i)) {
        defs.push(null);
        keyParts.push(`s${i}=${staticKey(a, i)}`);
        return;
      }
      let leaves, def;
      try {
        [leaves, def] = flatten(a);
      } catch (e) {
        throw new ValueError(`jit: argument ${i} is not a tensor or pytree of tensors; mark it static with staticArgnums: [${i}] (${(e as Error).message})`);
      }
      const ts = leaves.map((l) => toTensor(l, "jit"));
      if (donate.has(i)) ts.forEach((_, k) => donated.push(dynamic.length + k));
      dynamic.push(...ts);
      defs.push(def);
      keyParts.push(`${defToString(def)}:${ts.map((t) => `${t.dtype}[${t.shape.join(",")}]`).join(";")}`);
    });
    return { dynamic, defs, key: keyParts.join("|"), donated };
  };

  const compile = (args: unknown[], dynamic: Tensor[], defs: (TreeDef | null)[]): Compiled =>
    withTrace((level) => new JitTrace(level), (trace) => {
      const inputs = dynamic.map((t) => trace.newVar(t));
      let k = 0;
      const callArgs = args.map((a, i) => {
        const def = defs[i];
        if (def === null || def === undefined) return a;
        const n = flatten(a)[0].length;
        const part = inputs.slice(k, k + n);
        k += n;
        return unflatten(def, part);
      });
      const out = f(...callArgs);
      const [outLeaves, outDef] = flatten(out);
      const outIds = outLeaves.map((l) => {
        const t = toTensor(l, "jit");
        return t instanceof JitTracer && t.trace === trace ? t.id : trace.lift(t).id;
      });
      const program = new Program(trace.avals, inputs.map((v) => v.id), trace.consts, trace.eqns, outIds).withoutDeadCode();
      const reusable = [...program.consts.values()].every((c) => c instanceof ConcreteTensor);
      return { program, outDef, reusable };
    });

  const lookup = (args: unknown[]) => {
    const { dynamic, defs, key, donated } = prepare(args);
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = compile(args, dynamic, defs);
      if (compiled.reusable) cache.set(key, compiled);
    }
    return { compiled, dynamic, donated };
  };

  const jitted = ((...args: unknown[]) => {
    const { compiled, dynamic, donated } = lookup(args);
    // Concrete inputs take the compiled path; under an outer transform (or with
    // debugNans on) the program is replayed primitive by primitive instead.
    if (compiled.reusable && !config.debugNans && allConcrete(dynamic)) {
      const backend = getBackend().name;
      if (donated.length > 0 && storageUnshared(dynamic, donated)) {
        if (compiled.donating?.backend !== backend) compiled.donating = { backend, run: compileProgram(compiled.program, donated) };
        const outs = compiled.donating.run(dynamic);
        const kept = new Set<Tensor>(outs);
        for (const i of donated) if (!kept.has(dynamic[i]!)) dynamic[i]!.markDonated();
        return unflatten(compiled.outDef, outs);
      }
      if (compiled.executable?.backend !== backend) compiled.executable = { backend, run: compileProgram(compiled.program) };
      return unflatten(compiled.outDef, compiled.executable.run(dynamic));
    }
    return unflatten(compiled.outDef, compiled.program.run(dynamic));
  }) as unknown as Jitted<F>;
  Object.defineProperty(jitted, "trace", { value: (...args: unknown[]) => lookup(args).compiled.program });
  Object.defineProperty(jitted, "cacheSize", { get: () => cache.size });
  return jitted;
}

/**
 * True when no donated tensor shares its storage with another argument (the
 * same tensor passed twice, or a reshape of it): writing over it would then
 * change an input the program still reads. Such a call runs without donation.
 */
function storageUnshared(xs: ConcreteTensor[], donated: readonly number[]): boolean {
  // Small tensors may be views into one shared allocation: compare byte ranges, not allocations.
  const arrays = xs.map((x) => x.buffer.storage?.() ?? [x.buffer.view()]);
  const holders = new Map<ArrayBufferLike, { owner: number; a: TypedArray }[]>();
  arrays.forEach((list, owner) => {
    for (const a of list) {
      const entries = holders.get(a.buffer);
      if (entries) entries.push({ owner, a });
      else holders.set(a.buffer, [{ owner, a }]);
    }
  });
  const overlap = (a: TypedArray, b: TypedArray) => a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
  return donated.every((i) => arrays[i]!.every((a) => holders.get(a.buffer)!.every((h) => h.owner === i || !overlap(a, h.a))));
}

function staticKey(a: unknown, i: number): string {
  if (a instanceof Tensor) throw new ValueError(`jit: static argument ${i} is a tensor; static arguments must be plain values (numbers, strings, objects)`);
  if (typeof a === "function") return `fn:${a.name}:${a.toString().length}`;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    throw new ValueError(`jit: static argument ${i} cannot be used as a cache key (it is not JSON-serializable)`);
  }
}
