/**
 * Fashion-MNIST from Debian's `dataset-fashion-mnist` (gzipped IDX files), or
 * random data of the same shapes when the package is not installed.
 *
 * IDX: a big-endian header (magic 0x0000080d with d = number of dimensions,
 * then d uint32 sizes) followed by uint8 values. Images become float32 in [0, 1].
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

export interface Split {
  /** n × 784 pixels, row-major, in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
}

export interface Dataset {
  source: "fashion-mnist" | "random";
  train: Split;
  test: Split;
}

function readIdx(path: string): { dims: number[]; values: Uint8Array } {
  const raw = gunzipSync(readFileSync(path));
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  if (magic >> 8 !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file (magic 0x${magic.toString(16)})`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  return { dims, values: raw.subarray(offset) };
}

function readSplit(prefix: string): Split {
  const images = readIdx(join(FASHION_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`));
  const labels = readIdx(join(FASHION_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`));
  const n = images.dims[0]!;
  const pixels = new Float32Array(images.values.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.values[i]! / 255;
  return { images: pixels, labels: Int32Array.from(labels.values), n };
}

/** Deterministic uniform [0, 1) numbers (a 32-bit LCG): the fallback needs no real randomness. */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomSplit(n: number, seed: number): Split {
  const next = lcg(seed);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = next();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.floor(next() * 10);
  return { images, labels, n };
}

export function loadFashionMnist(): Dataset {
  if (existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"))) {
    return { source: "fashion-mnist", train: readSplit("train"), test: readSplit("t10k") };
  }
  return { source: "random", train: randomSplit(60000, 1), test: randomSplit(10000, 2) };
}

/** A fixed pseudo-random order of 0..n−1 for one epoch (Fisher–Yates with the LCG). */
export function epochOrder(n: number, epoch: number): Int32Array {
  const next = lcg(1234 + epoch);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Copies the examples order[start .. start+size) into fresh arrays. */
export function gatherBatch(split: Split, order: Int32Array, start: number, size: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(size * 784);
  const y = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    const i = order[(start + b) % order.length]!;
    x.set(split.images.subarray(i * 784, (i + 1) * 784), b * 784);
    y[b] = split.labels[i]!;
  }
  return { x, y };
}
