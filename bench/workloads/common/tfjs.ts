/** Loading TensorFlow.js (a dev dependency) and choosing its cpu or wasm backend. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type Tf = typeof import("@tensorflow/tfjs");

/** Imports tfjs, points its wasm backend at the .wasm files inside the npm package, and selects `backend`. */
export async function loadTfBackend(backend: "cpu" | "wasm"): Promise<Tf> {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to start`);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tfjs is on "${tf.getBackend()}", not "${backend}"`);
  return tf;
}

/** PyTorch's default init for a layer with `fanIn` inputs: U(−1/√fanIn, 1/√fanIn). */
export function torchUniform(tf: Tf, shape: number[], fanIn: number, seed: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound, "float32", seed));
}
