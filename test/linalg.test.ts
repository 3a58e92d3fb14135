import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import * as fx from "../src/index.js";
import * as lax from "../src/primitives/lax.js";
import {
  checkFirstOrder, checkSecondOrder, minGap, randomTensor, rng, spd, wellConditioned, type Fn,
} from "./linalg-fd.js";

const la = fx.linalg;
const f64 = (x: fx.NestedArray) => fx.tensor(x, { dtype: "float64" });
const vals = (t: fx.Tensor) => Array.from(t.data());
const mT = (x: fx.Tensor) => fx.swapaxes(x, -1, -2);
const SAMPLES = 5;

/** Max |a − b| over all elements (shapes must agree). */
function maxDiff(a: fx.Tensor, b: fx.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = vals(a), y = vals(b);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

const expectNear = (a: fx.Tensor, b: fx.Tensor, tol: number) => expect(maxDiff(a, b)).toBeLessThanOrEqual(tol);

/** A random symmetric matrix whose eigenvalues are at least 0.3 apart (so eigh's derivatives are well defined). */
function symmetricWithGaps(r: () => number, n: number): fx.Tensor {
  for (;;) {
    const b = randomTensor(r, [n, n]);
    const a = fx.mul(fx.add(b, mT(b)), 1.5);
    if (minGap(vals(la.eigh(a)[0])) > 0.3) return a;
  }
}

/** A random m×n matrix with singular values ≥ 0.3 whose squares are at least 0.3 apart. */
function matrixWithGaps(r: () => number, m: number, n: number): fx.Tensor {
  for (;;) {
    const a = fx.mul(randomTensor(r, [m, n]), 2);
    const s = vals(la.svd(a)[1]);
    if (Math.min(...s) > 0.3 && minGap(s.map((v) => v * v)) > 0.3) return a;
  }
}

/** Embeds a diagonal from a JS list. */
const diagOf = (xs: number[]) => f64(xs.map((x, i) => xs.map((_, j) => (i === j ? x : 0))));

describe("linalg: known small cases", () => {
  it("det, slogdet, inv and solve of 2×2 matrices", () => {
    expect(la.det([[1, 2], [3, 4]]).item()).toBeCloseTo(-2, 5);
    expect(la.det(f64([[0, 1], [1, 0]])).item()).toBe(-1);
    expect(la.det(f64([[2, 0, 0], [0, 3, 0], [0, 0, 4]])).item()).toBe(24);
    const [sign, logdet] = la.slogdet(f64([[1, 2], [3, 4]]));
    expect(sign.item()).toBe(-1);
    expect(logdet.item()).toBeCloseTo(Math.log(2), 12);
    expectNear(la.inv(f64([[4, 7], [2, 6]])), f64([[0.6, -0.7], [-0.2, 0.4]]), 1e-14);
    expectNear(la.solve(f64([[3, 1], [1, 2]]), f64([9, 8])), f64([2, 3]), 1e-14);
  });

  it("a singular matrix has det 0, slogdet [0, −∞], and inv/solve throw a ValueError", () => {
    const s = f64([[1, 2], [2, 4]]);
    expect(la.det(s).item()).toBe(0);
    const [sign, logdet] = la.slogdet(s);
    expect(sign.item()).toBe(0);
    expect(logdet.item()).toBe(-Infinity);
    expect(() => la.inv(s)).toThrow(fx.ValueError);
    expect(() => la.inv(s)).toThrow(/singular.*zero pivot at row 1/);
    expect(() => la.solve(f64([[[1, 0], [0, 1]], [[0, 0], [0, 0]]]), f64([1, 1]))).toThrow(/matrix 1 of the batch \[2\]/);
    // Under jit no values exist while tracing: the result is not finite instead of an error.
    const out = fx.jit((a: fx.Tensor) => la.inv(a))(s);
    expect(vals(out).some((v) => !Number.isFinite(v))).toBe(true);
  });

  it("cholesky, eigh, qr, svd, lu on hand-checked matrices", () => {
    expectNear(la.cholesky(f64([[4, 2], [2, 5]])), f64([[2, 0], [1, 2]]), 1e-15);
    const [w, v] = la.eigh(f64([[2, 1], [1, 2]]));
    expectNear(w, f64([1, 3]), 1e-15);
    const h = Math.SQRT1_2;
    expectNear(fx.abs(v), f64([[h, h], [h, h]]), 1e-15);
    const [q, r] = la.qr(f64([[3], [4]]));
    expectNear(q, f64([[0.6], [0.8]]), 1e-15);
    expectNear(r, f64([[5]]), 1e-15);
    const [, sv] = la.svd(f64([[0, -2], [3, 0]]));
    expectNear(sv, f64([3, 2]), 1e-15);
    const [packed, perm] = la.luFactor(f64([[1, 2], [3, 4]]));
    expect(vals(perm)).toEqual([1, 0]);
    expectNear(packed, f64([[3, 4], [1 / 3, 2 - 4 / 3]]), 1e-15);
  });

  it("not positive definite: cholesky throws eagerly and gives NaN under vmap", () => {
    expect(() => la.cholesky(f64([[1, 2], [2, 1]]))).toThrow(fx.ValueError);
    expect(() => la.cholesky(f64([[1, 2], [2, 1]]))).toThrow(/not positive definite/);
    const batch = f64([[[4, 2], [2, 5]], [[1, 2], [2, 1]]]);
    const out = fx.vmap((a: fx.Tensor) => la.cholesky(a))(batch);
    expect(vals(out).slice(0, 4)).toEqual([2, 0, 1, 2]);
    expect(vals(out).slice(4).every(Number.isNaN)).toBe(true);
  });

  it("triangularSolve: lower, upper, transposed and unit diagonal", () => {
    const lower = f64([[2, 0], [1, 4]]);
    expectNear(la.triangularSolve(lower, f64([4, 6])), f64([2, 1]), 1e-15);
    expectNear(la.triangularSolve(lower, f64([5, 4]), { transpose: true }), f64([2, 1]), 1e-15);
    expectNear(la.triangularSolve(f64([[2, 1], [99, 4]]), f64([5, 4]), { lower: false }), f64([2, 1]), 1e-15);
    expectNear(la.triangularSolve(f64([[7, 0], [3, 7]]), f64([1, 5]), { unitDiagonal: true }), f64([1, 2]), 1e-15);
  });

  it("norm: vector orders, matrix orders, axis and keepdims", () => {
    expect(la.norm([3, 4]).item()).toBeCloseTo(5, 6);
    expect(la.norm(f64([3, -4]), 1).item()).toBe(7);
    expect(la.norm(f64([3, -4]), Infinity).item()).toBe(4);
    expect(la.norm(f64([3, -4]), -Infinity).item()).toBe(3);
    expect(la.norm(f64([3, 0, -4]), 0).item()).toBe(2);
    expect(la.norm(f64([1, 2, 3]), 3).item()).toBeCloseTo(36 ** (1 / 3), 14);
    const m = f64([[1, -2], [3, 4]]);
    expect(la.norm(m).item()).toBeCloseTo(Math.sqrt(30), 14);
    expect(la.norm(m, "fro").item()).toBeCloseTo(Math.sqrt(30), 14);
    expect(la.norm(m, 1).item()).toBe(6);
    expect(la.norm(m, -1).item()).toBe(4);
    expect(la.norm(m, Infinity).item()).toBe(7);
    expect(la.norm(m, -Infinity).item()).toBe(3);
    const s = vals(la.svd(m)[1]);
    expect(la.norm(m, 2).item()).toBeCloseTo(s[0]!, 14);
    expect(la.norm(m, -2).item()).toBeCloseTo(s[1]!, 14);
    expect(la.norm(m, "nuc").item()).toBeCloseTo(s[0]! + s[1]!, 14);
    expectNear(la.norm(m, null, 1), f64([Math.sqrt(5), 5]), 1e-14);
    expect(la.norm(m, null, 0, true).shape).toEqual([1, 2]);
    expect(la.norm(fx.ones([2, 3, 4], "float64"), "fro", [0, 2], true).shape).toEqual([1, 3, 1]);
    expectNear(la.norm(fx.ones([2, 3, 4], "float64"), "fro", [0, 2]), f64([Math.sqrt(8), Math.sqrt(8), Math.sqrt(8)]), 1e-14);
  });

  it("trace, diagonal with offsets, matrixPower", () => {
    const m = f64([[1, 2, 3], [4, 5, 6]]);
    expect(vals(la.diagonal(m))).toEqual([1, 5]);
    expect(vals(la.diagonal(m, 1))).toEqual([2, 6]);
    expect(vals(la.diagonal(m, -1))).toEqual([4]);
    expect(vals(la.diagonal(m, 5))).toEqual([]);
    expect(la.trace(m).item()).toBe(6);
    expect(la.trace(fx.tensor([[1, 2], [3, 4]], { dtype: "int32" })).dtype).toBe("int32");
    expect(vals(la.matrixPower(f64([[1, 1], [1, 0]]), 10))).toEqual([89, 55, 55, 34]);
    expect(vals(la.matrixPower(f64([[2, 0], [0, 4]]), -2))).toEqual([0.25, 0, 0, 0.0625]);
    expect(vals(la.matrixPower(f64([[2, 5], [1, 4]]), 0))).toEqual([1, 0, 0, 1]);
  });

  it("size 0: det of a 0×0 matrix is 1, empty batches keep their shape", () => {
    expect(la.det(fx.zeros([0, 0], "float64")).item()).toBe(1);
    expect(la.inv(fx.zeros([0, 3, 3], "float64")).shape).toEqual([0, 3, 3]);
    const [u, s, vt] = la.svd(fx.zeros([2, 0, 3], "float64"));
    expect([u.shape, s.shape, vt.shape]).toEqual([[2, 0, 0], [2, 0], [2, 0, 3]]);
  });
});

describe("linalg: reconstructions, batched, float32 and float64", () => {
  for (const dtype of ["float64", "float32"] as const) {
    const tol = dtype === "float64" ? 1e-12 : 2e-5;
    const r = rng(dtype === "float64" ? 11 : 12);
    const batch = [2, 3];
    const cast = (t: fx.Tensor) => t.astype(dtype);

    it(`${dtype}: A = L Lᵀ with L lower triangular`, () => {
      const a = cast(spd(r, 4, batch));
      const l = la.cholesky(a);
      expect(l.dtype).toBe(dtype);
      expectNear(fx.matmul(l, mT(l)), a, tol * 10);
      expectNear(fx.mul(l, fx.tensor([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]], { dtype })), fx.zeros([...batch, 4, 4], dtype), 0);
    });

    it(`${dtype}: P A = L U`, () => {
      const a = cast(randomTensor(r, [...batch, 4, 4]));
      const [packed, perm] = la.luFactor(a);
      expect(perm.dtype).toBe("int32");
      const eye = fx.eye(4, 4, 0, dtype);
      const lower = fx.add(fx.mul(packed, f64([[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]]).astype(dtype)), eye);
      const upper = fx.mul(packed, f64([[1, 1, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1]]).astype(dtype));
      const permuted = fx.stack(Array.from({ length: 6 }, (_, k) => {
        const p = vals(fx.reshape(perm, [6, 4]).slice(k)) as number[];
        return fx.take(fx.reshape(a, [6, 4, 4]).slice(k), p, 0);
      }));
      expectNear(fx.reshape(fx.matmul(lower, upper), [6, 4, 4]), permuted, tol * 10);
      // Partial pivoting keeps every multiplier at most 1 in magnitude.
      expect(vals(fx.abs(fx.mul(packed, fx.sub(lower, eye)))).every((v) => v <= 1 + 1e-6)).toBe(true);
    });

    for (const [m, n] of [[5, 3], [4, 4], [3, 5]] as const) {
      it(`${dtype}: QR of ${m}×${n}: A = Q R, Qᵀ Q = I, R upper with diagonal ≥ 0`, () => {
        const a = cast(randomTensor(r, [...batch, m, n]));
        const [q, rr] = la.qr(a);
        const k = Math.min(m, n);
        expect(q.shape).toEqual([...batch, m, k]);
        expect(rr.shape).toEqual([...batch, k, n]);
        expectNear(fx.matmul(q, rr), a, tol * 10);
        expectNear(fx.matmul(mT(q), q), fx.broadcastTo(fx.eye(k, k, 0, dtype), [...batch, k, k]), tol * 10);
        const below = fx.tensor(Array.from({ length: k }, (_, i) => Array.from({ length: n }, (_, j) => (i > j ? 1 : 0))), { dtype });
        expectNear(fx.mul(rr, below), fx.zeros([...batch, k, n], dtype), 0);
        expect(vals(la.diagonal(rr)).every((d) => d >= 0)).toBe(true);
      });

      it(`${dtype}: SVD of ${m}×${n}: A = U diag(S) Vᵀ, orthonormal U and V, S descending`, () => {
        const a = cast(randomTensor(r, [...batch, m, n]));
        const [u, s, vt] = la.svd(a);
        const k = Math.min(m, n);
        expect([u.shape, s.shape, vt.shape]).toEqual([[...batch, m, k], [...batch, k], [...batch, k, n]]);
        expectNear(fx.matmul(fx.mul(u, fx.expandDims(s, -2)), vt), a, tol * 10);
        const eye = fx.broadcastTo(fx.eye(k, k, 0, dtype), [...batch, k, k]);
        expectNear(fx.matmul(mT(u), u), eye, tol * 10);
        expectNear(fx.matmul(vt, mT(vt)), eye, tol * 10);
        const sv = fx.reshape(s, [6, k]);
        for (let b = 0; b < 6; b++) {
          const row = vals(sv.slice(b));
          expect(row.every((x, i) => x >= 0 && (i === 0 || row[i - 1]! >= x))).toBe(true);
        }
      });
    }

    it(`${dtype}: A = V diag(w) Vᵀ, Vᵀ V = I, w ascending`, () => {
      const b = cast(randomTensor(r, [...batch, 5, 5]));
      const a = fx.add(b, mT(b));
      const [w, v] = la.eigh(a);
      expectNear(fx.matmul(fx.mul(v, fx.expandDims(w, -2)), mT(v)), a, tol * 10);
      expectNear(fx.matmul(mT(v), v), fx.broadcastTo(fx.eye(5, 5, 0, dtype), [...batch, 5, 5]), tol * 10);
      const rows = fx.reshape(w, [6, 5]);
      for (let k = 0; k < 6; k++) {
        const row = vals(rows.slice(k));
        expect(row.every((x, i) => i === 0 || row[i - 1]! <= x)).toBe(true);
      }
    });

    it(`${dtype}: inv, solve and det agree with each other on a batch`, () => {
      const a = cast(wellConditioned(r, 4, batch));
      const eye = fx.broadcastTo(fx.eye(4, 4, 0, dtype), [...batch, 4, 4]);
      expectNear(fx.matmul(a, la.inv(a)), eye, tol * 100);
      const rhs = cast(randomTensor(r, [...batch, 4, 2]));
      expectNear(fx.matmul(a, la.solve(a, rhs)), rhs, tol * 100);
      // det(A) det(A⁻¹) = 1 and slogdet agrees with det.
      expectNear(fx.mul(la.det(a), la.det(la.inv(a))), fx.ones(batch, dtype), tol * 100);
      const [sign, logdet] = la.slogdet(a);
      expectNear(fx.mul(sign, fx.exp(logdet)), la.det(a), tol * 1e4);
    });
  }

  it("the kernels compute float32 inputs in float64: eigenvalues of a float32 matrix match the float64 ones to float32 rounding", () => {
    const a = spd(rng(5), 6);
    const w64 = la.eigh(a)[0];
    const w32 = la.eigh(a.astype("float32"))[0];
    const aRounded = la.eigh(a.astype("float32").astype("float64"))[0];
    expect(maxDiff(w32.astype("float64"), aRounded)).toBeLessThanOrEqual(1e-6 * Math.max(...vals(w64)));
  });

  it("eigh is accurate to float64 rounding on a matrix with known eigenvalues", () => {
    // Q diag(1, 2, …, 6) Qᵀ with Q from a QR factorization.
    const [q] = la.qr(randomTensor(rng(8), [6, 6]));
    const a = fx.matmul(fx.matmul(q, diagOf([6, 1, 5, 2, 4, 3])), mT(q));
    expectNear(la.eigh(a)[0], f64([1, 2, 3, 4, 5, 6]), 1e-13);
  });

  it("eigh and svd handle entries near the float64 limits (scaled internally, no overflow)", () => {
    const w = vals(la.eigh(f64([[1e300, 1e299], [1e299, 2e300]]))[0]);
    const mid = 1.5e300, half = 1e300 * Math.sqrt(0.25 + 0.01); // mid ± √(((a − d)/2)² + b²)
    expect(w[0]! / (mid - half)).toBeCloseTo(1, 12);
    expect(w[1]! / (mid + half)).toBeCloseTo(1, 12);
    const a = randomTensor(rng(4), [3, 2]);
    for (const k of [1e-200, 1e200]) {
      const s = vals(la.svd(fx.mul(a, k))[1]), s1 = vals(la.svd(a)[1]);
      s.forEach((v, i) => expect(v / (k * s1[i]!)).toBeCloseTo(1, 12));
    }
  });

  it("solve broadcasts batch axes: a batch of A with one b, one A with a batch of b", () => {
    const r = rng(3);
    const as = wellConditioned(r, 3, [4]);
    const b = randomTensor(r, [3, 2]);
    const x = la.solve(as, b);
    expect(x.shape).toEqual([4, 3, 2]);
    for (let k = 0; k < 4; k++) expectNear(x.slice(k), la.solve(as.slice(k), b), 1e-14);
    const bs = randomTensor(r, [5, 3, 1]);
    expect(la.solve(as.slice(0), bs).shape).toEqual([5, 3, 1]);
  });
});

describe("linalg: gradients against central differences (float64)", () => {
  const run = (name: string, make: (r: () => number) => fx.Tensor[], f: Fn, seed: number) => {
    it(`${name}: jvp, grad and vjp on ${SAMPLES} random samples`, () => {
      const r = rng(seed);
      for (let s = 0; s < SAMPLES; s++) checkFirstOrder(f, make(r), r, `${name} sample ${s}`);
    });
  };

  run("cholesky", (r) => [spd(r, 4)], (a) => la.cholesky(a!), 101);
  for (const lower of [true, false]) {
    for (const transpose of [false, true]) {
      for (const unitDiagonal of [false, true]) {
        run(
          `triangularSolve lower=${lower} transpose=${transpose} unitDiagonal=${unitDiagonal}`,
          (r) => [wellConditioned(r, 3), randomTensor(r, [3, 2])],
          (a, b) => la.triangularSolve(a!, b!, { lower, transpose, unitDiagonal }),
          102,
        );
      }
    }
  }
  run("luFactor (packed factors)", (r) => [wellConditioned(r, 4)], (a) => la.luFactor(a!)[0], 103);
  for (const [m, n] of [[5, 3], [4, 4], [3, 5]] as const) {
    run(`qr ${m}×${n}`, (r) => [fx.add(randomTensor(r, [m, n]), fx.eye(m, n, 0, "float64").mul(2))], (a) => la.qr(a!), 104 + m);
    // U diag(c) Uᵀ and V diag(c) Vᵀ do not depend on the signs of the singular vectors.
    run(
      `svd ${m}×${n} (S, U diag(c) Uᵀ, V diag(c) Vᵀ, U S Vᵀ)`,
      (r) => [matrixWithGaps(r, m, n)],
      (a) => {
        const [u, s, vt] = la.svd(a!);
        const c = f64(Array.from({ length: Math.min(m, n) }, (_, i) => 1 + i));
        return [s, fx.matmul(fx.mul(u, c), mT(u)), fx.matmul(fx.mul(mT(vt), c), vt), fx.matmul(fx.mul(u, s), vt)];
      },
      110 + m,
    );
  }
  run(
    "eigh (w and V diag(c) Vᵀ)",
    (r) => [symmetricWithGaps(r, 4)],
    (a) => {
      const [w, v] = la.eigh(a!);
      return [w, fx.matmul(fx.mul(v, f64([1, -2, 3, 0.5])), mT(v))];
    },
    120,
  );
  run("eigh eigenvalues only", (r) => [symmetricWithGaps(r, 3)], (a) => la.eigh(a!)[0], 121);
  run("inv", (r) => [wellConditioned(r, 4)], (a) => la.inv(a!), 130);
  run("solve (matrix b)", (r) => [wellConditioned(r, 3), randomTensor(r, [3, 2])], (a, b) => la.solve(a!, b!), 131);
  run("solve (vector b)", (r) => [wellConditioned(r, 3), randomTensor(r, [3])], (a, b) => la.solve(a!, b!), 132);
  run("det", (r) => [wellConditioned(r, 4)], (a) => la.det(a!), 133);
  run("slogdet (log |det|)", (r) => [randomTensor(r, [4, 4])], (a) => la.slogdet(a!)[1], 134);
  run("matrixPower 3 and −2", (r) => [wellConditioned(r, 3)], (a) => [la.matrixPower(a!, 3), la.matrixPower(a!, -2)], 135);
  run("trace and diagonal", (r) => [randomTensor(r, [3, 4])], (a) => [la.trace(a!, 1), la.diagonal(a!, -1)], 136);
  run("norm: vector 2, 1, ∞, p = 3 along an axis", (r) => [randomTensor(r, [3, 4])],
    (x) => [la.norm(x!, null, 1), la.norm(x!, 1, 0), la.norm(x!, Infinity, 1), la.norm(x!, 3, 0)], 137);
  run("norm: Frobenius, nuclear, spectral, 1 and ∞", (r) => [matrixWithGaps(r, 3, 4)],
    (x) => [la.norm(x!), la.norm(x!, "nuc"), la.norm(x!, 2), la.norm(x!, -2), la.norm(x!, 1), la.norm(x!, -Infinity)], 138);
  run("batched det and inv (leading axes)", (r) => [wellConditioned(r, 3, [2])], (a) => [la.det(a!), la.inv(a!)], 139);

  const second = (name: string, make: (r: () => number) => fx.Tensor[], f: Fn, seed: number) => {
    it(`${name}: second order (forward-over-reverse and reverse-over-reverse)`, () => {
      const r = rng(seed);
      for (let s = 0; s < SAMPLES; s++) checkSecondOrder(f, make(r), r, `${name} sample ${s}`);
    });
  };
  second("inv", (r) => [wellConditioned(r, 3)], (a) => la.inv(a!), 201);
  second("solve", (r) => [wellConditioned(r, 3), randomTensor(r, [3, 2])], (a, b) => la.solve(a!, b!), 202);
  second("det", (r) => [wellConditioned(r, 3)], (a) => la.det(a!), 203);
  second("cholesky", (r) => [spd(r, 3)], (a) => la.cholesky(a!), 204);
  second("eigh eigenvalues", (r) => [symmetricWithGaps(r, 3)], (a) => la.eigh(a!)[0], 205);
  second("svd singular values", (r) => [matrixWithGaps(r, 3, 2)], (a) => la.svd(a!)[1], 206);
  second("qr", (r) => [wellConditioned(r, 3)], (a) => la.qr(a!), 207);

  it("the gradient of norm at 0 is 0, not NaN (vector, Frobenius, p-norm), also at second order", () => {
    const z = fx.zeros([3], "float64");
    expect(vals(fx.grad((x: fx.Tensor) => la.norm(x))(z))).toEqual([0, 0, 0]);
    expect(vals(fx.grad((x: fx.Tensor) => la.norm(x, 3))(z))).toEqual([0, 0, 0]);
    expect(vals(fx.grad((x: fx.Tensor) => la.norm(x, "fro", [0, 1]))(fx.zeros([2, 2], "float64")))).toEqual([0, 0, 0, 0]);
    expectNear(fx.grad((x: fx.Tensor) => la.norm(x, null, 1).sum())(f64([[0, 0], [3, 4]])), f64([[0, 0], [0.6, 0.8]]), 1e-15);
    const h = fx.hessian((x: fx.Tensor) => la.norm(x))(z);
    expect(vals(h).every(Number.isFinite)).toBe(true);
    const [, t] = fx.jvp((x: fx.Tensor) => la.norm(x), [z], [f64([1, 2, 3])]);
    expect(t.item()).toBe(0);
  });

  it("gradients of singular values alone are finite at repeated and zero singular values", () => {
    fx.config.debugNans = true;
    try {
      const nuc = fx.grad((m: fx.Tensor) => la.norm(m, "nuc"));
      expectNear(nuc(fx.eye(3, 3, 0, "float64")), fx.eye(3, 3, 0, "float64"), 1e-15);
      // Rank one (s₂ = 0): ∂s₁/∂A = u₁ v₁ᵀ, with u₁ = v₁ = (1, 2)/√5.
      expectNear(fx.grad((m: fx.Tensor) => la.norm(m, 2))(f64([[1, 2], [2, 4]])), f64([[0.2, 0.4], [0.4, 0.8]]), 1e-14);
      expectNear(fx.grad((m: fx.Tensor) => la.eigh(m)[0].sum())(fx.eye(2, 2, 0, "float64")), fx.eye(2, 2, 0, "float64"), 1e-15);
    } finally {
      fx.config.debugNans = false;
    }
  });

  it("det's gradient is det(A)·A⁻ᵀ and slogdet's is A⁻ᵀ", () => {
    const a = wellConditioned(rng(9), 4);
    const invT = mT(la.inv(a));
    expectNear(fx.grad((m: fx.Tensor) => la.det(m))(a), fx.mul(invT, la.det(a)), 1e-10);
    expectNear(fx.grad((m: fx.Tensor) => la.slogdet(m)[1])(a), invT, 1e-12);
  });

  it("cholesky's gradient is symmetric (it uses the symmetric part of its input)", () => {
    const g = fx.grad((m: fx.Tensor) => fx.sum(fx.mul(la.cholesky(m), randomTensor(rng(1), [3, 3]))))(spd(rng(2), 3));
    expectNear(g, mT(g), 1e-14);
  });
});

describe("linalg: vmap equals stacking, jit equals eager", () => {
  const r = rng(300);
  const stackOf = (fn: (a: fx.Tensor) => fx.Tensor, xs: fx.Tensor) =>
    fx.stack(Array.from({ length: xs.shape[0]! }, (_, k) => fn(xs.slice(k))));
  const cases: [string, (a: fx.Tensor) => fx.Tensor, fx.Tensor][] = [
    ["cholesky", (a) => la.cholesky(a), spd(r, 3, [4])],
    ["inv", (a) => la.inv(a), wellConditioned(r, 3, [4])],
    ["det", (a) => la.det(a), wellConditioned(r, 3, [4])],
    ["slogdet", (a) => la.slogdet(a)[1], wellConditioned(r, 3, [4])],
    ["solve", (a) => la.solve(a, f64([1, 2, 3])), wellConditioned(r, 3, [4])],
    ["qr", (a) => fx.concatenate(la.qr(a), 0), randomTensor(r, [4, 3, 3])],
    ["eigh", (a) => la.eigh(a)[0], fx.add(randomTensor(r, [4, 3, 3]), fx.swapaxes(randomTensor(r, [4, 3, 3]), 1, 2))],
    ["svd", (a) => la.svd(a)[1], randomTensor(r, [4, 3, 2])],
    ["luFactor", (a) => la.luFactor(a)[0], randomTensor(r, [4, 3, 3])],
    ["norm nuc", (a) => la.norm(a, "nuc"), randomTensor(r, [4, 3, 2])],
    ["triangularSolve", (a) => la.triangularSolve(a, f64([[1], [2], [3]])), wellConditioned(r, 3, [4])],
  ];
  for (const [name, fn, xs] of cases) {
    it(`${name}: vmap(f) and vmap(grad(f)) equal per-example results; jit(f) equals f`, () => {
      expectNear(fx.vmap(fn)(xs), stackOf(fn, xs), 1e-12);
      const g = fx.grad((a: fx.Tensor) => fx.sum(fn(a)));
      expectNear(fx.vmap(g)(xs), stackOf(g, xs), 1e-10);
      expectNear(fx.vmap(fn, { inAxes: 2 })(fx.moveaxis(xs, 0, 2)), stackOf(fn, xs), 1e-12);
      expectNear(fx.jit(fn)(xs.slice(0)), fn(xs.slice(0)), 1e-12);
      expectNear(fx.jit(g)(xs.slice(0)), g(xs.slice(0)), 1e-10);
    });
  }

  it("triangularSolve under vmap with only the right-hand side batched", () => {
    const a = wellConditioned(r, 3);
    const bs = randomTensor(r, [5, 3, 2]);
    const fn = (b: fx.Tensor) => la.triangularSolve(a, b, { lower: false });
    expectNear(fx.vmap(fn)(bs), stackOf(fn, bs), 1e-12);
  });

  it("jit(vmap(grad(det))) works", () => {
    const xs = wellConditioned(r, 3, [3]);
    const g = fx.grad((a: fx.Tensor) => la.det(a));
    expectNear(fx.jit(fx.vmap(g))(xs), stackOf(g, xs), 1e-10);
  });
});

describe("linalg: errors", () => {
  it("primitives reject integer dtypes, rank < 2 and non-square matrices with typed errors", () => {
    const int = fx.tensor([[1, 2], [3, 4]], { dtype: "int32" });
    expect(() => lax.cholesky(int)).toThrow(fx.DTypeError);
    expect(() => lax.cholesky(int)).toThrow(/cholesky: needs a float32 or float64 input, got int32\[2, 2\]/);
    expect(() => lax.eigh(int)).toThrow(fx.DTypeError);
    expect(() => lax.lu(f64([1, 2]))).toThrow(fx.ShapeError);
    expect(() => lax.qr(f64([1, 2]))).toThrow(/rank ≥ 2.*\[2\]/);
    expect(() => lax.lu(f64([[1, 2, 3], [4, 5, 6]]))).toThrow(/square.*\[2, 3\].*axis -2 has 2 rows, axis -1 has 3 columns/);
    expect(() => lax.triangularSolve(f64([[1, 0], [0, 1]]), f64([[1], [2], [3]]), true)).toThrow(fx.ShapeError);
    expect(() => lax.triangularSolve(f64([[1, 0], [0, 1]]), fx.tensor([[1], [2]]), true)).toThrow(fx.DTypeError);
  });

  it("ops name themselves and the shapes in their errors", () => {
    expect(() => la.inv(f64([1, 2, 3]))).toThrow(/linalg.inv: needs a matrix.*\[3\]/);
    expect(() => la.det(f64([[1, 2, 3], [4, 5, 6]]))).toThrow(fx.ShapeError);
    expect(() => la.solve(f64([[1, 0], [0, 1]]), f64([1, 2, 3]))).toThrow(/linalg.solve: A \[2, 2\] and b \[3\] do not fit/);
    expect(() => la.solve(fx.zeros([2, 2, 2], "float64"), fx.zeros([3, 2, 1], "float64"))).toThrow(fx.ShapeError);
    expect(() => la.norm(f64([1, 2]), "nuc")).toThrow(fx.ValueError);
    expect(() => la.norm(f64([[1, 2], [3, 4]]), 3)).toThrow(/not a matrix norm/);
    expect(() => la.norm(fx.zeros([2, 2, 2], "float64"), 1)).toThrow(/1-D or 2-D/);
    expect(() => la.norm(f64([[1, 2]]), null, [0, 0])).toThrow(fx.IndexError);
    expect(() => la.norm(f64([1, 2]), null, 1)).toThrow(fx.IndexError);
    expect(() => la.matrixPower(f64([[1, 0], [0, 1]]), 1.5)).toThrow(fx.ValueError);
    expect(() => la.diagonal(f64([1, 2]))).toThrow(fx.ShapeError);
    expect(() => la.eigh(fx.zeros([2, 3], "float64"))).toThrow(/linalg.eigh: needs square matrices/);
  });

  it("integer inputs to the ops are converted to float32", () => {
    const d = la.det(fx.tensor([[1, 2], [3, 4]], { dtype: "int32" }));
    expect(d.dtype).toBe("float32");
    expect(d.item()).toBeCloseTo(-2, 5);
  });
});

describe("linalg: docs", () => {
  it("the snippet in docs/linalg.md runs and prints what its comments say", async () => {
    const md = readFileSync(fileURLToPath(new URL("../docs/linalg.md", import.meta.url)), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(md)![1]!;
    const src = fileURLToPath(new URL("../src/index.ts", import.meta.url));
    const file = join(mkdtempSync(join(tmpdir(), "fluxion-doc-")), "linalg-snippet.ts");
    writeFileSync(file, code.replace('from "fluxion"', `from ${JSON.stringify(src)}`));
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logged.push(a));
    try {
      await import(file);
    } finally {
      spy.mockRestore();
    }
    const flat = (x: unknown) => (Array.isArray(x) ? x.flat(3) : [x]) as number[];
    expect(logged.length).toBe(11);
    expect(logged[0]![0]).toBeLessThan(1e-14);
    expect(logged[1]![0]).toBeCloseTo(44, 12);
    expect(logged[2]![0]).toBeCloseTo(Math.log(44), 12);
    for (const k of [3, 4, 5]) for (const e of logged[k]!) expect(e).toBeLessThan(1e-13);
    expect(flat(logged[6]![0]).map((v) => Math.round(v * 100) / 100)).toEqual([2, 3.27, 6.73]);
    flat(logged[7]![0]).forEach((v, i) => expect(v).toBeCloseTo([14, -6, 2, -6, 12, -4, 2, -4, 16][i]!, 10));
    expect(flat(logged[8]![0])).toEqual([0, 0, 0]);
    flat(logged[9]![0]).forEach((v, i) => expect(v).toBeCloseTo([44, 352][i]!, 10));
    flat(logged[10]![0]).forEach((v, i) => expect(v).toBeCloseTo([12, 24][i]!, 10));
  });
});
