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

/** Set while a transform runs derivative rules, so a NaN error can say it came from the backward pass. */
export const phase = { label: "" };

export function evaluatePrimitive(prim: Primitive, args: ConcreteTensor[], params: unknown): ConcreteTensor[] {
  const outs = prim.abstractEval(args, params);
  if (prim.impl) return prim.impl(args, params) as ConcreteTensor[];
  const backend = getBackend();
  const bufs = backend.run(prim.name as PrimName, args.map((a) => ({ buffer: a.buffer, shape: a.shape, dtype: a.dtype })), params as never, outs);
  const result = bufs.map((b, i) => new ConcreteTensor(b, outs[i]!.shape, outs[i]!.dtype));
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
        const where = phase.label ? ` in ${phase.label}` : " in the forward pass";
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
