/**
 * Random-access reads from bytes in memory or from an open file. Each read
 * returns a fresh, exactly-sized Uint8Array, so decoders can view it as any
 * typed array without alignment trouble, and reading a file never holds more
 * than the bytes asked for.
 */
import { FileFormatError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";

export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      const out = new Uint8Array(length);
      out.set(bytes.subarray(offset, offset + length));
      return out;
    },
  };
}

/** Opens `path`, hands `decode` a source reading from it, and closes the file whatever happens. */
export function withFileSource<T>(op: string, path: string, decode: (source: ByteSource) => T): T {
  const { closeSync, openSync } = nodeModule("node:fs", op);
  const fd = openSync(path, "r");
  try {
    return decode(fileSource(op, fd));
  } finally {
    closeSync(fd);
  }
}

function fileSource(op: string, fd: number): ByteSource {
  const { fstatSync, readSync } = nodeModule("node:fs", op);
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new FileFormatError(`${op}: file ended at byte ${offset + done} while reading ${length} bytes at ${offset} (was it truncated while being read?)`);
        done += n;
      }
      return out;
    },
  };
}
