/**
 * 1-nearest-neighbour class agreement of a 2-D embedding: the fraction of
 * points whose nearest other point has the same label (a leave-one-out 1-NN
 * accuracy; how well the embedding keeps the classes apart). A uniform grid
 * of buckets keeps it near O(n) for spread-out points.
 */
import { ShapeError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";

export function oneNnAgreement2d(embedding: Tensor, labels: ArrayLike<number>): number {
  if (embedding.ndim !== 2 || embedding.shape[1] !== 2) throw new ShapeError(`oneNnAgreement: expected an embedding [n, 2], got ${fmtShape(embedding.shape)}`);
  const n = embedding.shape[0]!;
  if (labels.length !== n) throw new ShapeError(`oneNnAgreement: ${n} points but ${labels.length} labels`);
  const y = embedding.data();
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, y[2 * i]!); maxX = Math.max(maxX, y[2 * i]!);
    minY = Math.min(minY, y[2 * i + 1]!); maxY = Math.max(maxY, y[2 * i + 1]!);
  }
  const g = Math.max(1, Math.floor(Math.sqrt(n / 2)));
  const sx = (maxX - minX) / g || 1, sy = (maxY - minY) / g || 1;
  const cellOf = (v: number, lo: number, s: number) => Math.min(g - 1, Math.floor((v - lo) / s));
  const buckets: number[][] = Array.from({ length: g * g }, () => []);
  for (let i = 0; i < n; i++) buckets[cellOf(y[2 * i + 1]!, minY, sy) * g + cellOf(y[2 * i]!, minX, sx)]!.push(i);
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const px = y[2 * i]!, py = y[2 * i + 1]!;
    const cx = cellOf(px, minX, sx), cy = cellOf(py, minY, sy);
    let best = Infinity, who = -1;
    // Grow the ring of cells searched until no unsearched cell can hold a closer point.
    for (let r = 0; r <= g; r++) {
      for (let gy = cy - r; gy <= cy + r; gy++) {
        for (let gx = cx - r; gx <= cx + r; gx++) {
          if (gx < 0 || gy < 0 || gx >= g || gy >= g) continue;
          if (Math.max(Math.abs(gx - cx), Math.abs(gy - cy)) !== r) continue;
          for (const j of buckets[gy * g + gx]!) {
            if (j === i) continue;
            const d = (px - y[2 * j]!) ** 2 + (py - y[2 * j + 1]!) ** 2;
            if (d < best) { best = d; who = j; }
          }
        }
      }
      if (who >= 0 && Math.sqrt(best) <= r * Math.min(sx, sy)) break;
    }
    if (labels[who] === labels[i]) agree++;
  }
  return agree / n;
}
