/** `fx.data`: datasets, splits, preprocessing and loaders for common file formats. */
export { Dataset, type BatchOptions } from "./dataset.js";
export { type Columns } from "./columns.js";
export { type ShuffleKey } from "./permutation.js";
export { trainTestSplit, type SplitOptions } from "./split.js";
export { oneHot, standardize, type StandardizeOptions } from "./preprocess.js";
export { loadIdx, decodeIdx, type IdxOptions } from "./idx.js";
export { loadCsv, parseCsv, type CsvOptions, type CsvTable } from "./csv.js";
export { mnist, type MnistOptions } from "./mnist.js";
export { fashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_SYSTEM_DIR, type FashionMnistOptions } from "./fashion-mnist.js";
export { type ImageLayout, type ImageSplits } from "./image-sets.js";
export { loadNpy } from "../io/npy.js";
export { describe, type Description, type DescribeOptions, type FeatureSummary, type ClassCount } from "./describe.js";
