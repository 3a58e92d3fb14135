/**
 * Large ArrayBuffers handed back by compiled jit programs once a call is
 * over: the storage of intermediates that no output, input or constant
 * shares. The next allocation of the same byte size takes one instead of a
 * fresh buffer, which the system would have to zero and map page by page (on
 * this kind of machine ~0.6 ns per byte, more than most kernels take per
 * byte). A training step allocates the same sizes at every call, so after the
 * first call its intermediates reuse the previous call's storage, as
 * PyTorch's caching allocator does. The pool is bounded; what does not fit is
 * left to the garbage collector.
 */

const MAX_POOLED_BYTES = 512 * 2 ** 20;

const free = new Map<number, ArrayBuffer[]>();
let pooledBytes = 0;

/** A pooled buffer of exactly `bytes` bytes (contents unspecified), or null. */
export function takePooled(bytes: number): ArrayBuffer | null {
  const list = free.get(bytes);
  const buf = list?.pop();
  if (!buf) return null;
  pooledBytes -= bytes;
  return buf;
}

/** Gives a buffer nothing references any more to the pool (dropped if the pool is full). */
export function givePooled(buf: ArrayBuffer): void {
  if (pooledBytes + buf.byteLength > MAX_POOLED_BYTES) return;
  let list = free.get(buf.byteLength);
  if (!list) free.set(buf.byteLength, (list = []));
  list.push(buf);
  pooledBytes += buf.byteLength;
}

/** Bytes held by the pool now (for tests and memory reports). */
export function pooledByteCount(): number {
  return pooledBytes;
}
