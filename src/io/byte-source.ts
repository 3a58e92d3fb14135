/**
 * Random-access reads from bytes in memory or from an open file. Each read
 * returns a fresh, exactly-sized Uint8Array, so decoders can view it as any
 * typed array without alignment trouble, and reading a file never holds more
 * than the bytes asked for.
 */
import { fstatSync, readSync } from "node:fs";
import { FileFormatError } from "../core/errors.js";

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

export function fileSource(op: string, fd: number): ByteSource {
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
