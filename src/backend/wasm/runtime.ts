/**
 * The Wasm runtime: one shared memory, the kernel module instantiated on the
 * calling thread, and the worker pool. Memory layout (bytes):
 *
 *   [mailboxes][scratch of thread 0]...[scratch of thread T-1][operands ...]
 *
 * Operands are staged per call from the bump pointer `operandBase()`: tensor
 * data lives in JS TypedArrays (see docs/memory.md), Wasm memory is scratch.
 */
import { kernelModule, MAX_PAGES, align, type KernelModule } from "./module.js";
import { MAILBOX_BYTES, ThreadPool } from "./threads.js";
import { wasmFeatures } from "./features.js";
import { ValueError } from "../../core/errors.js";

/** Exported functions the workers can run, by index. */
export const WORKER_FNS = ["gemm_f32_batched", "gemm_f64_batched", "im2col_runs", "transpose_f32", "transpose_f64",
  "winograd_input_f32", "winograd_output_f32", "winograd_input_f64", "winograd_output_f64"] as const;
export type WorkerFn = (typeof WORKER_FNS)[number];

const PAGE = 65536;

export class WasmRuntime {
  readonly km: KernelModule;
  readonly memory: WebAssembly.Memory;
  readonly exports: Record<WorkerFn, (...args: number[]) => void>;
  readonly pool: ThreadPool;

  constructor(threads: number) {
    this.km = kernelModule();
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: wasmFeatures().threads } as WebAssembly.MemoryDescriptor);
    const inst = new WebAssembly.Instance(this.km.module, { env: { mem: this.memory } });
    this.exports = inst.exports as unknown as Record<WorkerFn, (...args: number[]) => void>;
    this.pool = new ThreadPool(this.km.module, this.memory, WORKER_FNS);
    this.setThreads(threads);
  }

  setThreads(n: number): void {
    this.pool.resize(n);
    this.ensure(this.operandBase());
  }

  get threads(): number {
    return this.pool.size;
  }

  /** Start of thread t's scratch: packed A, packed B, edge tile. */
  scratch(t: number): number {
    return align(MAILBOX_BYTES) + t * this.km.scratchBytes;
  }

  operandBase(): number {
    return this.scratch(this.pool.size);
  }

  /** Grows memory to at least `bytes`; false if that exceeds the maximum. */
  ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    this.memory.grow(pages);
    return true;
  }

  get maxBytes(): number {
    return MAX_PAGES * PAGE;
  }
}

let runtime: WasmRuntime | null = null;
let requestedThreads: number | null = null;

function defaultThreads(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown; env?: Record<string, string | undefined> } }).process;
  const fromEnv = Number(proc?.env?.FLUXION_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** The process-wide runtime, made on first use. */
export function getRuntime(): WasmRuntime {
  if (!runtime) runtime = new WasmRuntime(requestedThreads ?? defaultThreads());
  return runtime;
}

/** Sets the number of threads Wasm kernels use (1 = the calling thread only). */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setThreads: expected an integer ≥ 1, got ${n}`);
  requestedThreads = n;
  if (runtime) runtime.setThreads(n);
}

export function getThreads(): number {
  return runtime ? runtime.threads : requestedThreads ?? defaultThreads();
}
