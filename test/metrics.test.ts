import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const i32 = (a: number[]) => fx.tensor(a, { dtype: "int32" });

describe("metrics", () => {
  it("accuracy from labels and from logits", () => {
    expect(fx.metrics.accuracy(i32([0, 1, 2, 2]), i32([0, 1, 1, 2]))).toBe(0.75);
    expect(fx.metrics.accuracy(fx.tensor([[2, 1], [0, 3], [5, 4]]), i32([0, 0, 0]))).toBeCloseTo(2 / 3);
  });

  it("confusion matrix counts true class by row", () => {
    const m = fx.metrics.confusionMatrix(i32([0, 1, 1, 2, 0]), i32([0, 1, 2, 2, 1]), 3);
    expect(m).toEqual([[1, 0, 0], [1, 1, 0], [0, 1, 1]]);
  });

  it("precision, recall and f1 match hand counts", () => {
    // binary: tp = 2, fp = 1, fn = 1
    const pred = i32([1, 1, 1, 0, 0]), y = i32([1, 1, 0, 1, 0]);
    expect(fx.metrics.precision(pred, y)).toBeCloseTo(2 / 3);
    expect(fx.metrics.recall(pred, y)).toBeCloseTo(2 / 3);
    expect(fx.metrics.f1(pred, y)).toBeCloseTo(2 / 3);
    const macro = fx.metrics.precision(i32([0, 1, 2, 2]), i32([0, 1, 1, 2]), { average: "macro" }) as number;
    expect(macro).toBeCloseTo((1 + 1 + 0.5) / 3);
    expect(fx.metrics.recall(i32([0, 1, 2, 2]), i32([0, 1, 1, 2]), { average: "micro" })).toBeCloseTo(0.75);
  });

  it("rocAuc equals the pairwise ranking probability, ties counted half", () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4];
    const y = [0, 0, 1, 1, 1];
    let wins = 0, pairs = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (y[i] === 1 && y[j] === 0) {
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
    expect(fx.metrics.rocAuc(fx.tensor(scores, { dtype: "float64" }), i32(y))).toBeCloseTo(wins / pairs, 12);
    expect(() => fx.metrics.rocAuc(fx.tensor([1, 2]), i32([1, 1]))).toThrow(fx.ValueError);
  });

  it("rejects mismatched lengths", () => {
    expect(() => fx.metrics.accuracy(i32([1, 2]), i32([1]))).toThrow(fx.ShapeError);
  });
});
