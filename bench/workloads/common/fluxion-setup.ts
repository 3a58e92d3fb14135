/** Selecting the Fluxion backend (and thread count) a workload runs on. */
import * as fx from "../../../src/index.js";
import type { WorkloadOptions } from "./types.js";

/** `fx.setThreads` exists once a threaded backend is merged; looked up so this file compiles either way. */
function threadSetter(): ((n: number) => void) | undefined {
  const setThreads = (fx as unknown as Record<string, unknown>).setThreads;
  return typeof setThreads === "function" ? (setThreads as (n: number) => void) : undefined;
}

/** Switches to opts.backend (default "reference") and returns the peer label, e.g. "fluxion-wasm-2t". */
export function useFluxionBackend(opts: WorkloadOptions): string {
  const backend = opts.backend ?? "reference";
  if (!fx.backendNames().includes(backend)) {
    throw new Error(`backend "${backend}" is not registered (known: ${fx.backendNames().join(", ")})`);
  }
  fx.setBackend(backend);
  const setThreads = threadSetter();
  if (opts.threads !== undefined && setThreads && backend !== "reference") {
    setThreads(opts.threads);
    return `fluxion-${backend}-${opts.threads}t`;
  }
  return `fluxion-${backend}`;
}

/** Whether fx.setThreads is available (the peer list offers 1 and 2 threads then). */
export function hasThreads(): boolean {
  return threadSetter() !== undefined;
}
