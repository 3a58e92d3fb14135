/**
 * `fashionMnist()`: Zalando's Fashion-MNIST (60 000 training and 10 000 test
 * images of clothing, 28×28, 10 classes) read from IDX files on disk. Nothing
 * is downloaded: Debian's `dataset-fashion-mnist` package installs the files.
 */
import { DataNotFoundError, FileFormatError, fmtShape } from "../core/errors.js";
import { envVar, nodeModule } from "../core/platform.js";
import { checkLayout, imageDataset, type ImageLayout, type ImageSplits } from "./image-sets.js";
import { loadIdxArray } from "./idx.js";

/** The class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]);

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";

const FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

export interface FashionMnistOptions {
  /** A directory to look in first. */
  dir?: string;
  /** "nchw" (default): images [N, 1, 28, 28]; "flat": [N, 784]. */
  layout?: ImageLayout;
  /** The last place looked in (default /usr/share/datasets/fashion-mnist); tests point it elsewhere. */
  systemDir?: string;
}

/**
 * Fashion-MNIST as `{ train, test }` datasets of [image, label] pairs (float32
 * pixels in [0, 1], int32 labels; class names in FASHION_MNIST_CLASSES).
 * Looks for the four IDX files (each raw or .gz) in `dir`, then in
 * `$FLUXION_DATA` (and its fashion-mnist/ subfolder), then in
 * /usr/share/datasets/fashion-mnist.
 *
 *   const { train, test } = data.fashionMnist({ layout: "flat" }); // x: [784] per example
 */
export function fashionMnist(opts: FashionMnistOptions = {}): ImageSplits {
  const layout = checkLayout("fashionMnist", opts.layout ?? "nchw");
  const candidates: string[] = [];
  if (opts.dir !== undefined) candidates.push(opts.dir);
  const { join } = nodeModule("node:path", "fashionMnist");
  const env = envVar("FLUXION_DATA");
  if (env) candidates.push(env, join(env, "fashion-mnist"));
  candidates.push(opts.systemDir ?? FASHION_MNIST_SYSTEM_DIR);

  for (const dir of candidates) {
    const paths = findFiles(dir);
    if (paths === undefined) continue;
    return {
      train: split(paths.trainImages, paths.trainLabels, layout),
      test: split(paths.testImages, paths.testLabels, layout),
    };
  }
  const names = Object.values(FILES).map((f) => `${f}[.gz]`).join(", ");
  throw new DataNotFoundError(
    `fashionMnist: the Fashion-MNIST files (${names}) were not found in ${candidates.map((c) => JSON.stringify(c)).join(", ")}. ` +
    `Install them with \`apt-get install dataset-fashion-mnist\` (into ${FASHION_MNIST_SYSTEM_DIR}), ` +
    `or set the FLUXION_DATA environment variable to a directory that holds them.`,
  );
}

function findFiles(dir: string): Record<keyof typeof FILES, string> | undefined {
  const { existsSync } = nodeModule("node:fs", "fashionMnist");
  const { join } = nodeModule("node:path", "fashionMnist");
  const found: Partial<Record<keyof typeof FILES, string>> = {};
  for (const [key, base] of Object.entries(FILES) as [keyof typeof FILES, string][]) {
    const path = [join(dir, base), join(dir, `${base}.gz`)].find((p) => existsSync(p));
    if (path === undefined) return undefined;
    found[key] = path;
  }
  return found as Record<keyof typeof FILES, string>;
}

function split(imagesPath: string, labelsPath: string, layout: ImageLayout) {
  const images = loadIdxArray(imagesPath);
  const labels = loadIdxArray(labelsPath);
  if (images.dtype !== "uint8" || images.shape.length !== 3 || images.shape[1] !== 28 || images.shape[2] !== 28) {
    throw new FileFormatError(`fashionMnist: ${imagesPath} holds ${images.dtype} ${fmtShape(images.shape)}, expected uint8 [N, 28, 28] images`);
  }
  const n = images.shape[0]!;
  if (labels.dtype !== "uint8" || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new FileFormatError(`fashionMnist: ${labelsPath} holds ${labels.dtype} ${fmtShape(labels.shape)}, expected uint8 [${n}] labels for ${imagesPath}`);
  }
  const rawLabels = labels.data as Uint8Array;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (rawLabels[i]! > 9) throw new FileFormatError(`fashionMnist: ${labelsPath} has label ${rawLabels[i]} at index ${i}; labels are 0..9`);
    y[i] = rawLabels[i]!;
  }
  return imageDataset(scalePixels(images.data as Uint8Array), y, layout);
}

/** Grey levels 0..255 to float32 in [0, 1], through a 256-entry table. */
function scalePixels(raw: Uint8Array): Float32Array {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = v / 255;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = table[raw[i]!]!;
  return out;
}
