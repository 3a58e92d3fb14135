/**
 * Oracles for the convolution tests: seeded random data and naive direct-loop
 * convolutions and pooling written from the definitions, independent of the
 * library's im2col kernel and of its transposed-convolution trick.
 */
import * as fx from "../src/index.js";
import { rng } from "./support/numeric.js";
import { allocate } from "../src/core/dtype.js";
import type { KernelInput } from "../src/backend/spec.js";

/** The seeded generator of the test support code, so failures reproduce. */
export { rng };

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A kernel's input (for the Wasm kernels' own tests): uniform values in [−1, 1) of `dtype`. */
export function randomInput(rand: () => number, shape: number[], dtype: "float32" | "float64"): KernelInput {
  const data = allocate(dtype, size(shape));
  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
  return { data, shape, dtype };
}

/** Uniform values in [−1, 1), rounded to float32 when asked so both dtypes see the same numbers. */
export function randomData(rand: () => number, shape: readonly number[], dtype: "float32" | "float64" = "float64"): Float64Array {
  const d = Float64Array.from({ length: size(shape) }, () => rand() * 2 - 1);
  return dtype === "float32" ? Float64Array.from(Float32Array.from(d)) : d;
}

export function toTensor(data: Float64Array, shape: readonly number[], dtype: "float32" | "float64"): fx.Tensor {
  return fx.tensor(dtype === "float32" ? Float32Array.from(data) : data, { shape: [...shape], dtype });
}

export interface Conv2dSpec {
  stride: [number, number];
  pad: [[number, number], [number, number]];
  dilation: [number, number];
  groups: number;
}

export interface Dense {
  data: Float64Array;
  shape: number[];
}

/** out[n, o, i, j] = Σ_{c, a, b} x[n, g·Cg + c, i·sh + a·dh − top, j·sw + b·dw − left] · w[o, c, a, b]. */
export function naiveConv2d(x: Dense, w: Dense, s: Conv2dSpec): Dense {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const Og = O / s.groups;
  const OH = Math.floor((H + s.pad[0][0] + s.pad[0][1] - s.dilation[0] * (KH - 1) - 1) / s.stride[0]) + 1;
  const OW = Math.floor((W + s.pad[1][0] + s.pad[1][1] - s.dilation[1] * (KW - 1) - 1) / s.stride[1]) + 1;
  const out = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let acc = 0;
          for (let c = 0; c < Cg; c++) {
            for (let a = 0; a < KH; a++) {
              for (let b = 0; b < KW; b++) {
                const r = i * s.stride[0] + a * s.dilation[0] - s.pad[0][0];
                const q = j * s.stride[1] + b * s.dilation[1] - s.pad[1][0];
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                acc += x.data[((n * C + g * Cg + c) * H + r) * W + q]! * w.data[((o * Cg + c) * KH + a) * KW + b]!;
              }
            }
          }
          out[((n * O + o) * OH + i) * OW + j] = acc;
        }
      }
    }
  }
  return { data: out, shape: [N, O, OH, OW] };
}

/**
 * Transposed convolution by its scatter definition: every input element adds
 * x[n, ci, i, j] · w[ci, co, a, b] at (i·sh − ph + a·dh, j·sw − pw + b·dw).
 */
export function naiveConvTranspose2d(
  x: Dense, w: Dense, stride: [number, number], pad: [number, number], outPad: [number, number], dilation: [number, number], groups: number,
): Dense {
  const [N, Cin, H, W] = x.shape as [number, number, number, number];
  const [, CoutG, KH, KW] = w.shape as [number, number, number, number];
  const CinG = Cin / groups, Cout = CoutG * groups;
  const OH = (H - 1) * stride[0] - 2 * pad[0] + dilation[0] * (KH - 1) + outPad[0] + 1;
  const OW = (W - 1) * stride[1] - 2 * pad[1] + dilation[1] * (KW - 1) + outPad[1] + 1;
  const out = new Float64Array(N * Cout * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < Cin; ci++) {
      const g = Math.floor(ci / CinG);
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < W; j++) {
          const v = x.data[((n * Cin + ci) * H + i) * W + j]!;
          for (let co = 0; co < CoutG; co++) {
            for (let a = 0; a < KH; a++) {
              for (let b = 0; b < KW; b++) {
                const r = i * stride[0] - pad[0] + a * dilation[0];
                const q = j * stride[1] - pad[1] + b * dilation[1];
                if (r < 0 || r >= OH || q < 0 || q >= OW) continue;
                out[((n * Cout + g * CoutG + co) * OH + r) * OW + q]! += v * w.data[((ci * CoutG + co) * KH + a) * KW + b]!;
              }
            }
          }
        }
      }
    }
  }
  return { data: out, shape: [N, Cout, OH, OW] };
}

/** Max or mean over each window of the last two axes; padding is skipped (max) or counted as 0 (mean). */
export function naivePool2d(
  x: Dense, k: [number, number], stride: [number, number], pad: [number, number], kind: "max" | "avg", countIncludePad = true,
): Dense {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * pad[0] - k[0]) / stride[0]) + 1;
  const OW = Math.floor((W + 2 * pad[1] - k[1]) / stride[1]) + 1;
  const out = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i < OH; i++) {
      for (let j = 0; j < OW; j++) {
        let m = -Infinity, sum = 0, count = 0;
        for (let a = 0; a < k[0]; a++) {
          for (let b = 0; b < k[1]; b++) {
            const r = i * stride[0] - pad[0] + a, q = j * stride[1] - pad[1] + b;
            if (r < 0 || r >= H || q < 0 || q >= W) continue;
            const v = x.data[(nc * H + r) * W + q]!;
            m = Math.max(m, v);
            sum += v;
            count++;
          }
        }
        out[(nc * OH + i) * OW + j] = kind === "max" ? m : sum / (countIncludePad ? k[0] * k[1] : count);
      }
    }
  }
  return { data: out, shape: [N, C, OH, OW] };
}

/** Largest |a − b| / (atol + rtol·|b|): ≤ 1 means every element is within tolerance. */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!, a = actual[i]!;
    const err = Math.abs(a - e) / (atol + rtol * Math.abs(e));
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

/**
 * Central finite differences of a scalar function of a list of float64
 * arrays: one partial derivative per element of every argument.
 */
export function finiteDiffGrad(f: (args: Float64Array[]) => number, args: Float64Array[], h = 1e-6): Float64Array[] {
  return args.map((arg, k) => {
    const g = new Float64Array(arg.length);
    for (let i = 0; i < arg.length; i++) {
      const plus = args.map((a) => a.slice());
      const minus = args.map((a) => a.slice());
      plus[k]![i]! += h;
      minus[k]![i]! -= h;
      g[i] = (f(plus) - f(minus)) / (2 * h);
    }
    return g;
  });
}
