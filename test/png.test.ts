import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const { decodePng, pngToGray } = fx.io;

/** CRC-32 as PNG defines it (bitwise, independent of the reader's table). */
function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array, badCrc = false): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)) ^ (badCrc ? 1 : 0));
  return out;
}

function ihdr(w: number, h: number, color: number, depth = 8, interlace = 0): Uint8Array {
  const d = new Uint8Array(13);
  const dv = new DataView(d.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  d[8] = depth; d[9] = color; d[12] = interlace;
  return d;
}

const SIG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

/** Filters row y of `px` (bpp bytes per pixel) with filter type f, as the PNG spec defines the forward filters. */
function filterRow(px: Uint8Array, y: number, stride: number, bpp: number, f: number): Uint8Array {
  const at = (yy: number, i: number) => (yy < 0 || i < 0 ? 0 : px[yy * stride + i]!);
  const row = new Uint8Array(stride + 1);
  row[0] = f;
  for (let i = 0; i < stride; i++) {
    const x = at(y, i), a = at(y, i - bpp), b = at(y - 1, i), c = at(y - 1, i - bpp);
    let pred = 0;
    if (f === 1) pred = a;
    else if (f === 2) pred = b;
    else if (f === 3) pred = Math.floor((a + b) / 2);
    else if (f === 4) {
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    row[i + 1] = (x - pred) & 0xff;
  }
  return row;
}

/** A PNG of `px` whose row y uses filter filters[y % filters.length]. */
function encode(px: Uint8Array, w: number, h: number, color: number, filters: number[], opts: { split?: boolean } = {}): Uint8Array {
  const bpp = { 0: 1, 4: 2, 2: 3, 6: 4 }[color]!;
  const stride = w * bpp;
  const raw = cat(...Array.from({ length: h }, (_, y) => filterRow(px, y, stride, bpp, filters[y % filters.length]!)));
  const z = new Uint8Array(deflateSync(raw));
  const idat = opts.split ? [chunk("IDAT", z.subarray(0, 5)), chunk("IDAT", z.subarray(5))] : [chunk("IDAT", z)];
  return cat(SIG, chunk("IHDR", ihdr(w, h, color)), chunk("tEXt", new TextEncoder().encode("Comment\0test")), ...idat, chunk("IEND", new Uint8Array(0)));
}

function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe("decodePng", () => {
  for (const [color, channels, name] of [[0, 1, "gray"], [4, 2, "gray+alpha"], [2, 3, "RGB"], [6, 4, "RGBA"]] as const) {
    it(`reads ${name} images with every filter type, exactly`, () => {
      const w = 7, h = 10;
      const px = noise(w * h * channels, 11 + color);
      for (const filters of [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]]) {
        const img = decodePng(encode(px, w, h, color, filters));
        expect(img).toMatchObject({ width: w, height: h, channels });
        expect(Array.from(img.data)).toEqual(Array.from(px));
      }
    });
  }

  it("joins image data split over several IDAT chunks and reads what viz.encodePng writes", () => {
    const px = noise(5 * 4, 3);
    expect(Array.from(decodePng(encode(px, 5, 4, 0, [4], { split: true })).data)).toEqual(Array.from(px));
    expect(Array.from(decodePng(fx.viz.encodePng(px, 5, 4)).data)).toEqual(Array.from(px));
  });

  it("turns pixels into gray levels: luminance, alpha over white", () => {
    const rgba = Uint8Array.of(255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 128);
    const gray = pngToGray(decodePng(encode(rgba, 3, 1, 6, [0])));
    expect(gray[0]).toBeCloseTo(0.299, 5);
    expect(gray[1]).toBeCloseTo(1, 5); // fully transparent: white
    expect(gray[2]).toBeCloseTo((0.114 * 255 * (128 / 255) + 255 * (1 - 128 / 255)) / 255, 5);
  });

  const good = encode(noise(16, 1), 4, 4, 0, [1]);
  const idatAt = (() => { for (let i = 8; i < good.length - 4; i++) if (String.fromCharCode(...good.subarray(i, i + 4)) === "IDAT") return i - 4; return -1; })();
  const malformed: [string, () => Uint8Array, RegExp][] = [
    ["empty file", () => new Uint8Array(0), /signature is missing/],
    ["wrong signature", () => cat(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0), good.subarray(8)), /signature is missing/],
    ["truncated in a chunk", () => good.subarray(0, good.length - 20), /claims \d+ bytes but the file ends|truncated chunk header/],
    ["truncated before IEND", () => good.subarray(0, good.length - 12), /no IEND chunk/],
    ["corrupted CRC", () => { const b = good.slice(); b[idatAt + 10]! ^= 0xff; return b; }, /fails its CRC check/],
    ["IDAT before IHDR", () => cat(SIG, chunk("IDAT", new Uint8Array(2)), chunk("IHDR", ihdr(1, 1, 0)), chunk("IEND", new Uint8Array(0))), /must start with IHDR/],
    ["two IHDR", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0)), chunk("IHDR", ihdr(1, 1, 0)), chunk("IEND", new Uint8Array(0))), /more than one IHDR/],
    ["short IHDR", () => cat(SIG, chunk("IHDR", new Uint8Array(12)), chunk("IEND", new Uint8Array(0))), /IHDR has 12 bytes/],
    ["no IDAT", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0)), chunk("IEND", new Uint8Array(0))), /no IDAT chunk/],
    ["zero width", () => cat(SIG, chunk("IHDR", ihdr(0, 1, 0)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(1)))), chunk("IEND", new Uint8Array(0))), /both sides must be at least 1/],
    ["huge dimensions", () => cat(SIG, chunk("IHDR", ihdr(100000, 100000, 0)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(1)))), chunk("IEND", new Uint8Array(0))), /more than the \d+ pixels/],
    ["palette image", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 3)), chunk("PLTE", new Uint8Array(3)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(2)))), chunk("IEND", new Uint8Array(0))), /palette images are not supported/],
    ["16-bit samples", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0, 16)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(3)))), chunk("IEND", new Uint8Array(0))), /bit depth 16 is not supported/],
    ["interlaced", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0, 8, 1)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(2)))), chunk("IEND", new Uint8Array(0))), /interlaced \(Adam7\)/],
    ["unknown colour type", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 5)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(2)))), chunk("IEND", new Uint8Array(0))), /unknown colour type 5/],
    ["not zlib data", () => cat(SIG, chunk("IHDR", ihdr(2, 2, 0)), chunk("IDAT", Uint8Array.of(1, 2, 3, 4)), chunk("IEND", new Uint8Array(0))), /not valid zlib data/],
    ["too little image data", () => cat(SIG, chunk("IHDR", ihdr(4, 4, 0)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(10)))), chunk("IEND", new Uint8Array(0))), /inflates to 10 bytes, but a 4×4 grayscale image needs 20/],
    ["too much image data (a small bomb)", () => cat(SIG, chunk("IHDR", ihdr(4, 4, 0)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(1 << 20)))), chunk("IEND", new Uint8Array(0))), /inflates to more than the 20 bytes/],
    ["bad filter type", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0)), chunk("IDAT", new Uint8Array(deflateSync(Uint8Array.of(9, 0)))), chunk("IEND", new Uint8Array(0))), /filter type 9/],
    ["unknown critical chunk", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0)), chunk("ABCD", new Uint8Array(0)), chunk("IDAT", new Uint8Array(deflateSync(new Uint8Array(2)))), chunk("IEND", new Uint8Array(0))), /unknown critical chunk ABCD/],
    ["split IDAT with a chunk between", () => cat(SIG, chunk("IHDR", ihdr(1, 1, 0)), chunk("IDAT", new Uint8Array(1)), chunk("tEXt", new Uint8Array(0)), chunk("IDAT", new Uint8Array(1)), chunk("IEND", new Uint8Array(0))), /not consecutive/],
  ];
  for (const [what, make, message] of malformed) {
    it(`rejects: ${what}`, () => {
      expect(() => decodePng(make(), "x.png")).toThrow(fx.FileFormatError);
      expect(() => decodePng(make(), "x.png")).toThrow(message);
    });
  }
});
