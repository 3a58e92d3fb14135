/** TensorFlow.js peers (dev dependencies), each a thin adapter with the ops the workloads use. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type Tf = typeof import("@tensorflow/tfjs");

let tfPromise: Promise<Tf> | null = null;

/** Loads tfjs and registers its wasm backend from the .wasm files shipped in the npm package. */
export async function loadTf(): Promise<Tf> {
  tfPromise ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
    wasm.setWasmPaths(join(dist, "/"));
    return tf;
  })();
  return tfPromise;
}

/** Switches tfjs to `name` ("cpu" or "wasm"); false when that backend cannot start here. */
export async function useTfBackend(tf: Tf, name: "cpu" | "wasm"): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}
