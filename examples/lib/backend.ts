/** The backend an example runs on: $BACKEND if set, else the Wasm backend when it is available, else the reference one. */
import * as fx from "../../src/index.js";

export function useBackend(): string {
  const wanted = process.env.BACKEND ?? (fx.backendNames().includes("wasm") ? "wasm" : "reference");
  fx.setBackend(wanted);
  console.log(`backend: ${wanted}`);
  return wanted;
}
