export * from "./creation.js";
export { asTensor, resultDType, unify, type ArrayLike, type TensorLike } from "./convert.js"; // unifyPair is the ops' own fast path, not API
export * from "./elementwise.js";
export * from "./reduce.js";
export * from "./shape.js";
export * from "./indexing.js";
export * from "./matmul.js";
export * from "./softmax.js";
export * from "./conv.js";
export * from "./pool.js";
import "./methods.js";
