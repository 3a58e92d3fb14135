/**
 * Shape arithmetic of convolutions, shared by the `conv` primitive's rules and
 * the ops built on it. Per spatial axis, with input size I, kernel size K:
 *
 *   dilated input   I' = (I − 1)·lhsDilation + 1
 *   dilated kernel  K' = (K − 1)·rhsDilation + 1
 *   padded input    P  = lo + I' + hi          (lo, hi may be negative: cropping)
 *   output          O  = ⌊(P − K') / stride⌋ + 1, which needs P ≥ K'.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Aval } from "../core/tensor.js";
import type { ConvParams } from "../backend/spec.js";

/** Size of an axis of `n` elements with `d − 1` holes between neighbours. */
export function dilateDim(n: number, d: number): number {
  return n === 0 ? 0 : (n - 1) * d + 1;
}

const isPositiveInt = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 1;

function describe(x: Aval, w: Aval): string {
  return `input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}`;
}

/** Checks the operands and parameters of a convolution and returns its output shape. */
export function convOutputShape(x: Aval, w: Aval, p: ConvParams): number[] {
  const nd = p.strides.length;
  const both = describe(x, w);
  if (x.dtype !== w.dtype) throw new DTypeError(`conv: input and weight must have one dtype, got ${x.dtype} and ${w.dtype}`);
  if (x.dtype === "bool") throw new DTypeError(`conv: does not take bool tensors`);
  if (x.shape.length !== nd + 2 || w.shape.length !== nd + 2) {
    throw new ShapeError(
      `conv: a ${nd}-D convolution needs an input [N, C, ...${nd} spatial] and a weight [O, C/groups, ...${nd} kernel] of rank ${nd + 2}, got ${both}`,
    );
  }
  for (const [name, list] of [["padding", p.padding], ["lhsDilation", p.lhsDilation], ["rhsDilation", p.rhsDilation]] as const) {
    if (list.length !== nd) throw new ValueError(`conv: ${name} has ${list.length} entries for ${nd} spatial axes (${both})`);
  }
  if (!isPositiveInt(p.groups)) throw new ValueError(`conv: groups must be a positive integer, got ${p.groups}`);
  const [N, C] = x.shape as [number, number];
  const [O, Cg] = w.shape as [number, number];
  if (C % p.groups !== 0) throw new ShapeError(`conv: groups ${p.groups} does not divide the ${C} input channels (axis 1 of ${both})`);
  if (O % p.groups !== 0) throw new ShapeError(`conv: groups ${p.groups} does not divide the ${O} output channels (axis 0 of ${both})`);
  if (Cg * p.groups !== C) {
    throw new ShapeError(
      `conv: channel mismatch: the input has ${C} channels (axis 1) but the weight expects ${Cg} per group × ${p.groups} groups = ${Cg * p.groups} (${both})`,
    );
  }
  const out = [N, O];
  for (let a = 0; a < nd; a++) {
    const s = p.strides[a]!, ld = p.lhsDilation[a]!, rd = p.rhsDilation[a]!;
    const [lo, hi] = p.padding[a]!;
    if (!isPositiveInt(s) || !isPositiveInt(ld) || !isPositiveInt(rd)) {
      throw new ValueError(`conv: strides and dilations must be positive integers, got stride ${s}, dilations ${ld}/${rd} on spatial axis ${a} (${both})`);
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new ValueError(`conv: padding must be integers, got (${lo}, ${hi}) on spatial axis ${a}`);
    const I = x.shape[a + 2]!, K = w.shape[a + 2]!;
    if (I === 0 || K === 0) throw new ShapeError(`conv: spatial axis ${a + 2} has size 0 (${both}); spatial sizes must be at least 1`);
    const P = lo + dilateDim(I, ld) + hi;
    const Kd = dilateDim(K, rd);
    if (P < Kd) {
      throw new ShapeError(
        `conv: the kernel (${Kd} wide after dilation ${rd}) is larger than the padded input (${P} wide with padding (${lo}, ${hi})) on axis ${a + 2} (${both})`,
      );
    }
    out.push(Math.floor((P - Kd) / s) + 1);
  }
  return out;
}

/**
 * Padding of the transposed convolution that gives the input's cotangent:
 * the output cotangent, dilated by the strides, padded so that the flipped
 * kernel visits exactly the input positions each output read.
 */
export function inputGradPadding(inSpatial: readonly number[], kSpatial: readonly number[], outSpatial: readonly number[], p: ConvParams): [number, number][] {
  return inSpatial.map((I, a) => {
    const Id = dilateDim(I, p.lhsDilation[a]!);
    const Kd = dilateDim(kSpatial[a]!, p.rhsDilation[a]!);
    const Od = dilateDim(outSpatial[a]!, p.strides[a]!);
    const lo = Kd - 1 - p.padding[a]![0];
    return [lo, Id + Kd - 1 - Od - lo];
  });
}

/**
 * Padding of the convolution that gives the weight's cotangent (input
 * correlated with the output cotangent): the forward's low padding, and on
 * the high side exactly enough to reach the last position any output read.
 */
export function weightGradPadding(inSpatial: readonly number[], kSpatial: readonly number[], outSpatial: readonly number[], p: ConvParams): [number, number][] {
  return inSpatial.map((I, a) => {
    const Id = dilateDim(I, p.lhsDilation[a]!);
    const Kd = dilateDim(kSpatial[a]!, p.rhsDilation[a]!);
    const Od = dilateDim(outSpatial[a]!, p.strides[a]!);
    const lo = p.padding[a]![0];
    return [lo, Od - Id + Kd - lo - 1];
  });
}
