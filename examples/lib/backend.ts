/**
 * The backend an example runs on: the package picks it at import
 * (FLUXION_BACKEND if set, else the Wasm backend when it loads, else the
 * reference one); this reports it so every printed figure names its backend.
 */
import * as fx from "../../src/index.js";

export function useBackend(): string {
  const name = fx.getBackend().name;
  console.log(`backend: ${name}${name === "wasm" ? ` (${fx.getThreads()} threads)` : ""}`);
  return name;
}
