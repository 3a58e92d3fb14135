/**
 * A point-region quadtree over 2-D points for Barnes–Hut t-SNE, stored in
 * flat typed arrays. Each cell keeps its centre of mass and point count;
 * leaves keep a range of the permuted point indices (one point, or several
 * coincident ones below the depth limit).
 */
export class QuadTree {
  /** Per cell: centre of mass, count, side length, first child (−1 for a leaf), range in `order`. */
  comX: Float64Array;
  comY: Float64Array;
  count: Int32Array;
  side: Float64Array;
  child: Int32Array;
  start: Int32Array;
  end: Int32Array;
  cells = 0;
  /** The point indices, grouped so that every cell's points are contiguous. */
  readonly order: Int32Array;

  constructor(private readonly y: Float64Array, n: number) {
    const capacity = 4 * n + 16;
    this.comX = new Float64Array(capacity); this.comY = new Float64Array(capacity);
    this.count = new Int32Array(capacity); this.side = new Float64Array(capacity);
    this.child = new Int32Array(capacity); this.start = new Int32Array(capacity); this.end = new Int32Array(capacity);
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i]!, py = y[2 * i + 1]!;
      if (px < minX) minX = px; if (px > maxX) maxX = px;
      if (py < minY) minY = py; if (py > maxY) maxY = py;
    }
    const side = Math.max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-12;
    this.cells = 1;
    this.fillChild(0, (minX + maxX) / 2, (minY + maxY) / 2, side, 0, n, 0);
  }

  private grow(): void {
    const cap = this.comX.length * 2;
    const g = <T extends Float64Array | Int32Array>(a: T): T => { const b = new (a.constructor as new (n: number) => T)(cap); b.set(a); return b; };
    this.comX = g(this.comX); this.comY = g(this.comY); this.count = g(this.count); this.side = g(this.side);
    this.child = g(this.child); this.start = g(this.start); this.end = g(this.end);
  }

  /** Fills cell `slot` for order[lo, hi), centred at (cx, cy) with the given side, and its subtree. */
  private fillChild(slot: number, cx: number, cy: number, side: number, lo: number, hi: number, depth: number): void {
    const y = this.y, order = this.order;
    let sx = 0, sy = 0;
    for (let t = lo; t < hi; t++) { sx += y[2 * order[t]!]!; sy += y[2 * order[t]! + 1]!; }
    const count = hi - lo;
    this.comX[slot] = count > 0 ? sx / count : cx;
    this.comY[slot] = count > 0 ? sy / count : cy;
    this.count[slot] = count; this.side[slot] = side; this.start[slot] = lo; this.end[slot] = hi; this.child[slot] = -1;
    if (count <= 1 || depth >= 48) return;
    const mid = partition(order, y, 0, lo, hi, cx);
    const q1 = partition(order, y, 1, lo, mid, cy);
    const q3 = partition(order, y, 1, mid, hi, cy);
    const h = side / 4;
    if (this.cells + 8 > this.comX.length) this.grow();
    const first = this.cells;
    this.cells += 4;
    this.fillChild(first, cx - h, cy - h, side / 2, lo, q1, depth + 1);
    this.fillChild(first + 1, cx - h, cy + h, side / 2, q1, mid, depth + 1);
    this.fillChild(first + 2, cx + h, cy - h, side / 2, mid, q3, depth + 1);
    this.fillChild(first + 3, cx + h, cy + h, side / 2, q3, hi, depth + 1);
    this.child[slot] = first;
  }
}

/** Moves the points whose coordinate `axis` (0: x, 1: y) is below `split` to the front of order[lo, hi); returns the boundary. */
function partition(order: Int32Array, y: Float64Array, axis: number, lo: number, hi: number, split: number): number {
  let a = lo, b = hi - 1;
  while (a <= b) {
    if (y[2 * order[a]! + axis]! < split) a++;
    else { const t = order[a]!; order[a] = order[b]!; order[b] = t; b--; }
  }
  return a;
}
