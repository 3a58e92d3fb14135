/** `fx.graph`: the graph batch format, segment reductions, neighbour graphs and readouts. */
export { GraphBatch, batch, single, type GraphData } from "./batch.js";
export { segmentSum, segmentMean, segmentMax, segmentMin, segmentSoftmax, segmentCount } from "./segment.js";
export { toDense, fromDense, denseMask } from "./dense.js";
export { knn, knnGraph, addSelfLoops, type KnnOptions } from "./neighbors.js";
export { sumPool, meanPool, maxPool } from "./pool.js";
