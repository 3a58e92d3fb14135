/**
 * t-SNE gradients of KL(P ‖ Q) for a 2-D embedding Y, with the Student-t
 * kernel w_ij = (1 + ‖yᵢ − yⱼ‖²)⁻¹ and Q_ij = w_ij / Z, Z = Σ_{k≠l} w_kl:
 *
 *   ∂C/∂yᵢ = 4 Σⱼ (α P_ij − Q_ij) w_ij (yᵢ − yⱼ)
 *          = 4 [α Σⱼ P_ij w_ij (yᵢ − yⱼ)  −  (1/Z) Σⱼ w_ij² (yᵢ − yⱼ)]
 *
 * (α = the early-exaggeration factor). The exact version is O(n²); the
 * Barnes–Hut version sums the attractive part over the sparse P and
 * approximates the repulsive part and Z with a quadtree: a cell of side s at
 * distance r from yᵢ is treated as one point (its centre of mass, weighted by
 * its count) when s / r < θ.
 */
import type { SparseP } from "./affinities.js";
import { QuadTree } from "./quadtree.js";

/** Exact gradient into `grad`; returns KL(P ‖ Q) (NaN unless `withKl`: the logs cost as much as the gradient). */
export function exactGradient(p: Float64Array, y: Float64Array, n: number, exaggeration: number, grad: Float64Array, withKl = true): number {
  const w = new Float64Array(n * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = y[2 * i]! - y[2 * j]!, dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const v = 1 / (1 + dx * dx + dy * dy);
      w[i * n + j] = v; w[j * n + i] = v;
      z += 2 * v;
    }
  }
  grad.fill(0);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    let gx = 0, gy = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const wij = w[i * n + j]!, pij = p[i * n + j]!;
      const m = (exaggeration * pij - wij / z) * wij;
      gx += m * (y[2 * i]! - y[2 * j]!);
      gy += m * (y[2 * i + 1]! - y[2 * j + 1]!);
      if (withKl && pij > 0) kl += pij * Math.log(pij / Math.max(wij / z, 1e-300));
    }
    grad[2 * i] = 4 * gx; grad[2 * i + 1] = 4 * gy;
  }
  return withKl ? kl : NaN;
}

/** Barnes–Hut gradient into `grad`; returns the (approximate) KL(P ‖ Q), or NaN unless `withKl`. */
export function barnesHutGradient(p: SparseP, y: Float64Array, n: number, exaggeration: number, theta: number, grad: Float64Array, withKl = true): number {
  const tree = new QuadTree(y, n);
  const { comX, comY, count, side, child, start, end, order } = tree;
  const theta2 = theta * theta;
  const rep = new Float64Array(2 * n);
  const stack = new Int32Array(4 * 64 + 16);
  let z = 0;
  // Visit points in tree order, so that consecutive points walk mostly the same cells (cache locality).
  for (let t0 = 0; t0 < n; t0++) {
    const i = order[t0]!;
    const xi = y[2 * i]!, yi = y[2 * i + 1]!;
    let rx = 0, ry = 0, zi = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const c = stack[--top]!;
      const first = child[c]!;
      if (first < 0) {
        // A leaf: its point(s) exactly (skipping i itself).
        for (let t = start[c]!, e = end[c]!; t < e; t++) {
          const j = order[t]!;
          if (j === i) continue;
          const ex = xi - y[2 * j]!, ey = yi - y[2 * j + 1]!;
          const w = 1 / (1 + ex * ex + ey * ey);
          zi += w;
          const w2 = w * w;
          rx += w2 * ex; ry += w2 * ey;
        }
        continue;
      }
      const dx = xi - comX[c]!, dy = yi - comY[c]!;
      const d2 = dx * dx + dy * dy;
      const sd = side[c]!;
      if (sd * sd < theta2 * d2) {
        // Far enough: the whole cell acts as `cnt` points at its centre of mass.
        const cnt = count[c]!;
        const w = 1 / (1 + d2);
        zi += cnt * w;
        const f = cnt * w * w;
        rx += f * dx; ry += f * dy;
      } else {
        // Open the cell; empty children are never pushed.
        if (count[first]! > 0) stack[top++] = first;
        if (count[first + 1]! > 0) stack[top++] = first + 1;
        if (count[first + 2]! > 0) stack[top++] = first + 2;
        if (count[first + 3]! > 0) stack[top++] = first + 3;
      }
    }
    rep[2 * i] = rx; rep[2 * i + 1] = ry;
    z += zi;
  }
  let kl = 0;
  const { rowPtr, cols, vals } = p;
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i]!, yi = y[2 * i + 1]!;
    let ax = 0, ay = 0;
    for (let t = rowPtr[i]!; t < rowPtr[i + 1]!; t++) {
      const j = cols[t]!;
      const dx = xi - y[2 * j]!, dy = yi - y[2 * j + 1]!;
      const w = 1 / (1 + dx * dx + dy * dy);
      const pij = vals[t]!;
      ax += pij * w * dx; ay += pij * w * dy;
      if (withKl) kl += pij * Math.log(pij / Math.max(w / z, 1e-300));
    }
    grad[2 * i] = 4 * (exaggeration * ax - rep[2 * i]! / z);
    grad[2 * i + 1] = 4 * (exaggeration * ay - rep[2 * i + 1]! / z);
  }
  return withKl ? kl : NaN;
}
