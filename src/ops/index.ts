export * from "./creation.js";
export * from "./convert.js";
export * from "./elementwise.js";
export * from "./reduce.js";
export * from "./shape.js";
export * from "./indexing.js";
export * from "./matmul.js";
export * from "./softmax.js";
import "./methods.js";
