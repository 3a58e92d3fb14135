// VJP rules skip the cotangents of inputs no gradient flows to (`needed`):
// a rule returns null there, and gradients taken with respect to one operand
// equal the matching part of the gradient with respect to both.
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { bind } from "../src/core/trace.js";
import { table } from "../src/primitives/table.js";
import { assertClose } from "./helpers/compare.js";
import { Nd, toTensor } from "./helpers/nd.js";
import { Rng } from "./helpers/random.js";

type T = fx.Tensor;
const randn = (shape: number[], seed: number, shift = 0) =>
  toTensor(new Nd(shape, new Rng(seed).normals(shape.reduce((a, b) => a * b, 1)).map((v) => v + shift)));
const tol = { rtol: 1e-6, atol: 1e-6 };

/** Binary functions (x, y) → scalar, with operands that keep them differentiable. */
const cases: [string, (x: T, y: T) => T, () => [T, T]][] = [
  ["mul", (x, y) => x.mul(y).sum(), () => [randn([3, 4], 1), randn([4], 2)]],
  ["sub", (x, y) => x.sub(y).square().sum(), () => [randn([3, 4], 3), randn([3, 1], 4)]],
  ["div", (x, y) => x.div(y).sum(), () => [randn([2, 3], 5), randn([2, 3], 6, 4)]],
  ["pow", (x, y) => x.pow(y).sum(), () => [randn([5], 7, 3), randn([5], 8)]],
  ["maximum", (x, y) => fx.maximum(x, y).sum(), () => [randn([6], 9), randn([6], 10)]],
  ["minimum", (x, y) => fx.minimum(x, y).sum(), () => [randn([6], 11), randn([6], 12)]],
  ["arctan2", (x, y) => fx.arctan2(x, y).sum(), () => [randn([4], 13), randn([4], 14)]],
  ["mod", (x, y) => fx.mod(x, y).sum(), () => [randn([4], 15), randn([4], 16, 5)]],
  ["where", (x, y) => fx.where(x.greater(0), x, y).sum(), () => [randn([7], 17), randn([7], 18)]],
  ["matmul", (x, y) => fx.matmul(x, y).square().sum(), () => [randn([3, 5], 19), randn([5, 2], 20)]],
  ["conv", (x, w) => fx.conv(x, w, { padding: 1 }).square().sum(), () => [randn([2, 3, 5, 5], 21), randn([4, 3, 3, 3], 22)]],
];

describe("VJP rules and constant operands", () => {
  for (const [name, f, args] of cases) {
    it(`${name}: the gradient for one operand equals that part of the gradient for both`, () => {
      const [x, y] = args();
      const [gx, gy] = fx.grad(f, { argnums: [0, 1] })(x, y) as T[];
      assertClose(fx.grad(f, { argnums: 0 })(x, y) as T, gx!, tol, `${name} d/dx`);
      assertClose(fx.grad(f, { argnums: 1 })(x, y) as T, gy!, tol, `${name} d/dy`);
    });
  }

  it("a rule returns null for an operand it is told no gradient flows to", () => {
    const x = randn([3], 23), y = randn([3], 24, 3);
    const ct = fx.onesLike(x);
    for (const name of ["mul", "sub", "div", "pow", "max", "atan2", "rem"] as const) {
      const outs = bind(table[name], [x, y], {});
      const onlyX = table[name].vjp([ct], [x, y], outs, {}, [true, false]);
      expect(onlyX[0], `${name}: x's cotangent`).not.toBeNull();
      expect(onlyX[1], `${name}: y's cotangent`).toBeNull();
      const all = table[name].vjp([ct], [x, y], outs, {});
      expect(all[1], `${name}: y's cotangent without needed`).not.toBeNull();
    }
    const both = table.dot.vjp([fx.ones([2, 2])], [fx.ones([2, 3]), fx.ones([3, 2])], [], {}, [false, true]);
    expect(both[0]).toBeNull();
    expect(both[1]!.shape).toEqual([3, 2]);
  });
});
