import type { DType, TypedArray } from "./dtype.js";
import type { Shape } from "./shape.js";

/** NumPy-like printing: `tensor([[1, 2], [3, 4]], dtype=int32)`; long axes are elided. */
export function formatTensor(shape: Shape, dtype: DType, data: TypedArray): string {
  const edge = 3;
  const limit = 1000;
  const summarize = data.length > limit;
  const isFloat = dtype === "float32" || dtype === "float64";
  const fmt = (v: number): string => {
    if (dtype === "bool") return v ? "true" : "false";
    if (!isFloat) return String(v);
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    // Whole floats keep their point, as NumPy prints them ("1." next to "0.25").
    if ((Number.isInteger(v) && Math.abs(v) < 1e16) || v === 0) return `${v}.`;
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4);
    return String(Number(v.toPrecision(dtype === "float32" ? 6 : 8)));
  };
  const strs: string[] = [];
  for (let i = 0; i < data.length; i++) strs.push(fmt(data[i]!));
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const cell = (i: number) => strs[i]!.padStart(width);
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]!; }
  const indent = "tensor(".length;
  const build = (axis: number, offset: number): string => {
    if (axis === shape.length) return cell(offset);
    const n = shape[axis]!;
    const parts: string[] = [];
    const show = (i: number) => parts.push(build(axis + 1, offset + i * strides[axis]!));
    if (summarize && n > 2 * edge) {
      for (let i = 0; i < edge; i++) show(i);
      parts.push("...");
      for (let i = n - edge; i < n; i++) show(i);
    } else {
      for (let i = 0; i < n; i++) show(i);
    }
    const sep = axis === shape.length - 1 ? ", " : ",\n" + "\n".repeat(Math.max(0, shape.length - axis - 2)) + " ".repeat(indent + axis + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = build(0, 0);
  const dt = dtype === "float32" ? "" : `, dtype=${dtype}`;
  const shp = data.length === 0 ? `, shape=(${shape.join(", ")}${shape.length === 1 ? "," : ""})` : "";
  return `tensor(${body}${shp}${dt})`;
}
