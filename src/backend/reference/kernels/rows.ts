/**
 * Tight loops for the hottest elementwise primitives, one loop per operation
 * (a switch outside the loop), instead of a call through a shared function
 * table per element: V8 cannot inline a call site that sees many functions,
 * and that call costs several times the arithmetic. Each loop computes
 * exactly what the generic table entry computes, element for element.
 */
import type { TypedArray } from "../../../core/dtype.js";
import type { BinaryName, CompareName } from "../../spec.js";

/** Binary operations with a tight loop for float outputs (integer outputs wrap the same way). */
const FAST_BINARY = new Set<string>(["add", "sub", "mul", "div"]);

/** True if `binaryRow` has a tight loop for `name` with this output dtype class. */
export function hasFastBinary(name: BinaryName, isInt: boolean): boolean {
  return FAST_BINARY.has(name) && !(isInt && (name === "mul" || name === "div"));
}

/**
 * dst[start + j] = x[px + j·ix] op y[py + j·iy] for j < n.
 */
export function binaryRow(name: BinaryName, dst: TypedArray, start: number, x: TypedArray, px: number, ix: number, y: TypedArray, py: number, iy: number, n: number): void {
  switch (name) {
    case "add": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! + y[py]!; return;
    case "sub": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! - y[py]!; return;
    case "mul": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! * y[py]!; return;
    case "div": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! / y[py]!; return;
    default: throw new Error(`binaryRow: no tight loop for ${name}`);
  }
}

/** dst[start + j] = (x[px + j·ix] op y[py + j·iy]) ? 1 : 0 for j < n. */
export function compareRow(name: CompareName, dst: TypedArray, start: number, x: TypedArray, px: number, ix: number, y: TypedArray, py: number, iy: number, n: number): void {
  switch (name) {
    case "eq": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! === y[py]! ? 1 : 0; return;
    case "ne": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! !== y[py]! ? 1 : 0; return;
    case "lt": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! < y[py]! ? 1 : 0; return;
    case "le": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! <= y[py]! ? 1 : 0; return;
    case "gt": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! > y[py]! ? 1 : 0; return;
    case "ge": for (let j = 0; j < n; j++, px += ix, py += iy) dst[start + j] = x[px]! >= y[py]! ? 1 : 0; return;
    default: name satisfies never;
  }
}
