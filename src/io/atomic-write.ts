/**
 * Atomic file writes: the bytes go to a temporary file in the same directory,
 * are flushed to disk (fsync), and the temporary file is renamed over the
 * target. A reader sees the old file or the new one, never half of one, even
 * if the process dies mid-write.
 */
import { nodeModule, nodeProcess } from "../core/platform.js";

type Fs = ReturnType<typeof nodeModule<"node:fs">>;

/** Writes `data` (bytes or text) to `path` atomically; `op` names the caller in errors. */
export function writeFileAtomic(path: string, data: Uint8Array | string, op = "writeFileAtomic"): void {
  const fs = nodeModule("node:fs", op);
  const { basename, dirname, join, resolve } = nodeModule("node:path", op);
  const { randomBytes } = nodeModule("node:crypto", op);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const target = resolve(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${nodeProcess()?.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = fs.openSync(temp, "wx", 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, target);
  } catch (e) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    try { fs.unlinkSync(temp); } catch { /* never created or already renamed */ }
    throw e;
  }
  syncDirectory(fs, dir);
}

/** Makes the rename itself durable; not every platform can open a directory, so this is best effort. */
function syncDirectory(fs: Fs, dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
