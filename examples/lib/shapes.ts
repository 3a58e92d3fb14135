/**
 * Procedurally generated 3-D point clouds: points on the surface of a
 * sphere, cube, cylinder, cone or torus, randomly rotated, scaled, jittered
 * and listed in random order (a point cloud has no natural order).
 */
import { seededRandom } from "./fortunes.js";

export const SHAPES = ["sphere", "cube", "cylinder", "cone", "torus"] as const;
export type Point = [number, number, number];

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A point on the unit-size surface of a shape. */
function surfacePoint(shape: (typeof SHAPES)[number], rand: () => number): Point {
  const u = rand(), v = rand(), a = 2 * Math.PI * rand();
  switch (shape) {
    case "sphere": {
      const z = 2 * u - 1, r = Math.sqrt(1 - z * z);
      return [r * Math.cos(a), r * Math.sin(a), z];
    }
    case "cube": {
      const face = Math.floor(rand() * 6), s = face % 2 === 0 ? 1 : -1, p = 2 * u - 1, q = 2 * v - 1;
      return face < 2 ? [s, p, q] : face < 4 ? [p, s, q] : [p, q, s];
    }
    case "cylinder": return rand() < 0.75 ? [Math.cos(a), Math.sin(a), 2 * u - 1] : [Math.sqrt(u) * Math.cos(a), Math.sqrt(u) * Math.sin(a), rand() < 0.5 ? -1 : 1];
    case "cone": {
      if (rand() < 0.3) return [Math.sqrt(u) * Math.cos(a), Math.sqrt(u) * Math.sin(a), -1];
      const r = Math.sqrt(u); // uniform over the lateral surface
      return [r * Math.cos(a), r * Math.sin(a), 1 - 2 * r];
    }
    case "torus": {
      const b = 2 * Math.PI * v, R = 0.75, r = 0.3;
      return [(R + r * Math.cos(b)) * Math.cos(a), (R + r * Math.cos(b)) * Math.sin(a), r * Math.sin(b)];
    }
  }
}

/** A random rotation (Gram–Schmidt on a Gaussian matrix). */
function randomRotation(rand: () => number): number[][] {
  const rows: number[][] = [];
  while (rows.length < 3) {
    const v = [gaussian(rand), gaussian(rand), gaussian(rand)];
    for (const r of rows) {
      const d = v.reduce((s, x, i) => s + x * r[i]!, 0);
      r.forEach((x, i) => (v[i]! -= d * x));
    }
    const n = Math.hypot(...v);
    if (n > 1e-6) rows.push(v.map((x) => x / n));
  }
  return rows;
}

/** `count` clouds of `points` points each, classes in turn; label = index in SHAPES. */
export function makeClouds(count: number, points: number, seed: number): { clouds: Point[][]; labels: number[] } {
  const rand = seededRandom(seed);
  const clouds: Point[][] = [], labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % SHAPES.length;
    const R = randomRotation(rand);
    const scale = 0.7 + 0.6 * rand();
    const pts = Array.from({ length: points }, (): Point => {
      const p = surfacePoint(SHAPES[label]!, rand);
      const q = R.map((row) => scale * row.reduce((s, x, k) => s + x * p[k]!, 0) + 0.02 * gaussian(rand));
      return q as Point;
    });
    const c = [0, 1, 2].map((k) => pts.reduce((s, p) => s + p[k]!, 0) / points);
    clouds.push(pts.map((p) => p.map((x, k) => x - c[k]!) as Point));
    labels.push(label);
  }
  return { clouds, labels };
}

/** Each point's k nearest other points (brute force; clouds are small). */
export function nearest(points: Point[], k: number): number[][] {
  return points.map((p, i) => points.map((q, j) => [j, (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2] as const)
    .filter(([j]) => j !== i).sort((a, b) => a[1] - b[1]).slice(0, k).map(([j]) => j));
}
