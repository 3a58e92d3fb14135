/**
 * Generates one JavaScript loop for a fused group of elementwise equations.
 * Each intermediate is rounded to its dtype exactly as the kernels store it
 * (Math.fround for float32, |0 for int32, &255 for uint8), so a jitted
 * function gives bit-for-bit the results of eager evaluation.
 */
import type { DType } from "../../core/dtype.js";
import type { Aval } from "../../core/tensor.js";
import { BINARY, INT_BINARY, LOGICAL, UNARY, unaryFn } from "../../backend/reference/kernels/elementwise.js";
import type { CompareName } from "../../backend/spec.js";

const COMPARE_OP: Record<CompareName, string> = { eq: "===", ne: "!==", lt: "<", le: "<=", gt: ">", ge: ">=" };
import type { Equation } from "../program.js";
import { operandLayout } from "./fusion.js";

/** (inputs, outputs, n) → void, over the group's TypedArrays. */
export type FusedLoop = (ins: ArrayLike<number>[], outs: { [i: number]: number }[], n: number) => void;

function round(expr: string, dtype: DType): string {
  switch (dtype) {
    case "float64": return expr;
    case "float32": return `Math.fround(${expr})`;
    case "int32": return `((${expr}) | 0)`;
    case "uint8": return `((${expr}) & 255)`;
    case "bool": return `((${expr}) ? 1 : 0)`;
    default: return dtype satisfies never;
  }
}

/** Ops written inline (the same arithmetic as the kernels' functions); others call the kernel's function. */
const UNARY_INLINE: Record<string, string> = {
  neg: "(-$a)", log: "Math.log($a)", log1p: "Math.log1p($a)", expm1: "Math.expm1($a)",
  sqrt: "Math.sqrt($a)", sin: "Math.sin($a)", cos: "Math.cos($a)", tan: "Math.tan($a)", tanh: "Math.tanh($a)",
  abs: "Math.abs($a)", floor: "Math.floor($a)", ceil: "Math.ceil($a)",
};
const BINARY_INLINE: Record<string, string> = { add: "($a + $b)", sub: "($a - $b)", mul: "($a * $b)", div: "($a / $b)", pow: "Math.pow($a, $b)" };
const INT_BINARY_INLINE: Record<string, string> = { add: "($a + $b)", sub: "($a - $b)" };

const isIntDType = (d: DType) => d === "int32" || d === "uint8";

export function generateLoop(eqns: Equation[], inputs: number[], outputs: number[], avals: Aval[], shape: readonly number[]): FusedLoop {
  const fns: unknown[] = [];
  const fnRef = (f: unknown) => {
    let i = fns.indexOf(f);
    if (i < 0) i = fns.push(f) - 1;
    return `F[${i}]`;
  };
  const n = (v: number) => `v${v}`;
  const lines: string[] = [];
  inputs.forEach((v, k) => {
    const at = operandLayout(avals[v]!.shape, shape)!;
    const index = at.scalar ? "0" : at.period && at.repeat ? `Math.floor(i / ${at.repeat}) % ${at.period}`
      : at.period ? `i % ${at.period}` : at.repeat ? `Math.floor(i / ${at.repeat})` : "i";
    lines.push(`const ${n(v)} = ins[${k}][${index}];`);
  });
  for (const eq of eqns) {
    const name = eq.prim.name;
    const out = eq.outputs[0]!;
    const dtype = avals[out]!.dtype;
    const [a, b, c] = eq.inputs.map(n);
    let expr: string;
    if (name in UNARY) {
      const inline = UNARY_INLINE[name];
      expr = inline ? inline.replace(/\$a/g, a!) : `${fnRef(unaryFn(name as keyof typeof UNARY, dtype))}(${a})`;
    } else if (name in BINARY) {
      const inline = isIntDType(dtype) ? INT_BINARY_INLINE[name] : BINARY_INLINE[name];
      const f = isIntDType(dtype) ? INT_BINARY[name as keyof typeof INT_BINARY] ?? BINARY[name as keyof typeof BINARY] : BINARY[name as keyof typeof BINARY];
      expr = inline ? inline.replace(/\$a/g, a!).replace(/\$b/g, b!) : `${fnRef(f)}(${a}, ${b})`;
    } else if (name in COMPARE_OP) expr = `(${a} ${COMPARE_OP[name as CompareName]} ${b})`;
    else if (name in LOGICAL) expr = `${fnRef(LOGICAL[name as keyof typeof LOGICAL])}(${a} !== 0, ${b} !== 0)`;
    else if (name === "not") expr = `(${a} ? 0 : 1)`;
    else if (name === "select") expr = `(${a} ? ${b} : ${c})`;
    else if (name === "stop_gradient") expr = a!;
    else if (name === "cast") {
      const from = avals[eq.inputs[0]!]!.dtype;
      expr = dtype === "bool" ? `(${a} !== 0)` : isIntDType(dtype) && !isIntDType(from) && from !== "bool" ? `Math.trunc(${a})` : a!;
    } else throw new Error(`fusion: no code template for ${name}`);
    lines.push(`const ${n(out)} = ${round(expr, dtype)};`);
  }
  outputs.forEach((v, k) => lines.push(`outs[${k}][i] = ${n(v)};`));
  const body = `for (let i = 0; i < n; i++) {\n${lines.join("\n")}\n}`;
  // The source is built only from variable numbers and fixed templates, never from user data.
  const make = new Function("F", `return function fused(ins, outs, n) {\n${body}\n};`) as (f: unknown[]) => FusedLoop;
  return make(fns);
}
