/**
 * The interpreter core (after JAX's Autodidax): a stack of traces, one per
 * active transform, and `bind`, which hands a primitive to the innermost
 * trace that owns one of its inputs. Every transform is a Trace subclass
 * with one `process` method; eager evaluation is what happens when no
 * input is a tracer.
 */
import { ConcreteTensor, Tensor, type Aval } from "./tensor.js";
import { ConcretizationError, TransformError } from "./errors.js";
import type { Primitive } from "./primitive.js";

export abstract class Trace {
  /** Position in the trace stack: higher levels are applied later (outer transforms lower). */
  readonly level: number;
  active = true;

  constructor(level: number) {
    this.level = level;
  }

  /** Wraps a value from a lower level as a tracer of this trace. */
  abstract lift(x: Tensor): Tracer;

  /** Applies `prim` to tracers of this trace (inputs already lifted). */
  abstract process(prim: Primitive, args: Tracer[], params: unknown): Tensor[];

  /** What a transform calls itself in error messages. */
  abstract readonly kind: string;
}

export abstract class Tracer extends Tensor {
  abstract readonly trace: Trace;
  abstract readonly aval: Aval;

  get shape(): readonly number[] {
    return this.aval.shape;
  }

  get dtype() {
    return this.aval.dtype;
  }

  /** The value behind the tracer, when the transform has one (grad, jvp, vmap do; jit does not). */
  abstract override concrete(): ConcreteTensor;
}

const stack: Trace[] = [];

/** Runs `body` with a new trace pushed on the stack. */
export function withTrace<T extends Trace, R>(make: (level: number) => T, body: (trace: T) => R): R {
  const trace = make(stack.length);
  stack.push(trace);
  try {
    return body(trace);
  } finally {
    stack.pop();
    trace.active = false;
  }
}

export function traceDepth(): number {
  return stack.length;
}

/** Evaluates a primitive on concrete inputs; set by the primitives layer (it calls the backend). */
export type Evaluator = (prim: Primitive, args: ConcreteTensor[], params: unknown) => ConcreteTensor[];

let evaluate: Evaluator = () => {
  throw new TransformError("no backend is installed");
};

export function setEvaluator(e: Evaluator): void {
  evaluate = e;
}

/** Applies a primitive: to the top trace among its inputs, or eagerly. */
export function bind(prim: Primitive, args: Tensor[], params: unknown): Tensor[] {
  let top: Trace | null = null;
  // Checked even with no transform active: an escaped tracer used at top level must not reach a kernel.
  for (const a of args) {
    if (a instanceof Tracer) {
      const t = a.trace;
      if (!t.active) {
        throw new TransformError(
          `${prim.name}: got a tracer from a ${t.kind} transform that has already returned (a traced value escaped, e.g. stored in an outer variable)`,
        );
      }
      if (top === null || t.level > top.level) top = t;
    }
  }
  if (top === null) {
    return evaluate(prim, args as ConcreteTensor[], params);
  }
  const lifted: Tracer[] = args.map((a) => (a instanceof Tracer && a.trace === top ? a : top!.lift(a)));
  return top.process(prim, lifted, params);
}

export function bind1(prim: Primitive, args: Tensor[], params: unknown): Tensor {
  return bind(prim, args, params)[0]!;
}

export function concretizationError(what: string): ConcretizationError {
  return new ConcretizationError(
    `${what}: this value is being traced by jit and has no concrete value yet. ` +
      `Use fx.where/fx.cond instead of a JS 'if' on traced values, mark the argument static with staticArgnums, or call the function without jit.`,
  );
}
