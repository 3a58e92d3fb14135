/** `--backend` and `--threads`, shared by the subcommands. */
import { backendNames, getBackend, setBackend } from "../backend/registry.js";
import { ValueError } from "../core/errors.js";
import { getThreads, setThreads } from "../backend/wasm/runtime.js";

export interface BackendChoice {
  backend?: string;
  threads?: number;
}

/**
 * Selects the backend and records the thread count for backends that run
 * threads (FLUXION_THREADS); the reference backend runs on one thread.
 */
export function applyBackend(opts: BackendChoice): { backend: string; threads: number } {
  if (opts.backend !== undefined) {
    if (!backendNames().includes(opts.backend)) throw new ValueError(`--backend ${opts.backend}: unknown backend (known: ${backendNames().join(", ")})`);
    setBackend(opts.backend);
  }
  if (opts.threads !== undefined) {
    process.env.FLUXION_THREADS = String(opts.threads);
    setThreads(opts.threads);
  }
  const name = getBackend().name;
  return { backend: name, threads: name === "reference" ? 1 : getThreads() };
}

/** Help text of `--backend`, the same in every subcommand. */
export const BACKEND_HELP = "backend to run on: wasm (Wasm SIMD kernels on every core, the default) or reference (plain TypeScript); FLUXION_BACKEND sets the default";
