/**
 * Eager evaluation of a primitive: run its shape rule, then the current
 * backend's kernel. With `config.debugNans` on, every float output is checked.
 */
import { config } from "../core/config.js";
import { isFloat } from "../core/dtype.js";
import { NanError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { ConcreteTensor } from "../core/tensor.js";
import { setEvaluator } from "../core/trace.js";
import { getBackend } from "../backend/registry.js";
import type { PrimName } from "../backend/spec.js";

/** A step of the reverse-mode tape: the primitive, and where the user called it (with debugNans). */
export interface VjpStep {
  readonly name: string;
  readonly site?: string;
}

/**
 * Set while the backward pass runs a step's VJP rule, so a NaN error can say
 * it came from there (the message is only built when one is thrown).
 */
export const phase: { vjpOf: VjpStep | null } = { vjpOf: null };

function phaseLabel(): string {
  const step = phase.vjpOf;
  if (step === null) return " in the forward pass";
  return ` in the backward pass (VJP of ${step.name}${step.site ? `, the ${step.name} called ${step.site}` : ""})`;
}

export function evaluatePrimitive(prim: Primitive, args: ConcreteTensor[], params: unknown): ConcreteTensor[] {
  const outs = prim.abstractEval(args, params);
  if (prim.impl) return prim.impl(args, params) as ConcreteTensor[];
  // Reading each buffer first throws the disposed-tensor error before any kernel runs;
  // the tensors themselves then serve as the backend's inputs (buffer, shape, dtype).
  for (let i = 0; i < args.length; i++) void args[i]!.buffer;
  const bufs = getBackend().run(prim.name as PrimName, args, params as never, outs);
  const result: ConcreteTensor[] = new Array(bufs.length);
  for (let i = 0; i < bufs.length; i++) result[i] = new ConcreteTensor(bufs[i]!, outs[i]!.shape, outs[i]!.dtype);
  if (config.debugNans) checkFinite(prim, args, result);
  return result;
}

function checkFinite(prim: Primitive, args: ConcreteTensor[], outs: ConcreteTensor[]): void {
  for (const out of outs) {
    if (!isFloat(out.dtype)) continue;
    const data = out.buffer.view();
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isFinite(v)) {
        const inputs = args.map((a) => `${a.dtype}${fmtShape(a.shape)}`).join(", ");
        const where = phaseLabel();
        throw new NanError(
          `debugNans: ${prim.name}(${inputs}) produced ${v} at flat index ${i} of its ${out.dtype}${fmtShape(out.shape)} output${where}.\n` +
            `Called from: ${userFrame()}`,
        );
      }
    }
  }
}

/** The first stack frame outside Fluxion's own source: where the user called the op. */
export function userFrame(): string {
  // Transforms nest deeply: look past V8's default of 10 frames to reach the user's code.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  Error.stackTraceLimit = limit;
  const own = /[/\\](src|dist)[/\\](core|primitives|transforms|ops|backend)[/\\]/;
  const frame = stack.find((l) => !own.test(l) && !l.includes("node:internal")) ?? stack[0] ?? "(unknown)";
  return frame.trim();
}

setEvaluator(evaluatePrimitive);
