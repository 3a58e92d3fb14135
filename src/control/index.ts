export { scan, type ScanOptions, type ScanParams } from "./scan.js";
export { cond, type CondParams } from "./cond.js";
export { whileLoop, fori, type WhileParams } from "./while.js";
