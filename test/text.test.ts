import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { rng } from "./support/numeric.js";

const { text } = fx;

const CORPUS = [
  "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.",
  "A fortune: you will write a tokenizer, and then another tokenizer.",
  "Numbers 1234 and 5678, then 1234 again!  Spaces   and\ttabs\nand new lines.",
  "the the the then there these those them they",
].join("\n");

/** Random strings over a mix of scripts, astral characters, combining marks and whitespace. */
function randomText(r: () => number, n: number): string {
  const pools = [
    [0x20, 0x7e], [0x0a, 0x0a], [0x09, 0x09], [0xc0, 0x17f], [0x300, 0x36f], [0x391, 0x3c9],
    [0x4e00, 0x4e40], [0x1f600, 0x1f64f], [0x1d400, 0x1d433], [0xac00, 0xac20],
  ];
  let s = "";
  for (let i = 0; i < n; i++) {
    const [lo, hi] = pools[Math.floor(r() * pools.length)]!;
    s += String.fromCodePoint(lo! + Math.floor(r() * (hi! - lo! + 1)));
  }
  return s;
}

describe("pretokenize", () => {
  it("splits into words, numbers, symbols and whitespace that concatenate back to the input", () => {
    expect(text.pretokenize("Hello,  world 42")).toEqual(["Hello", ",", " ", " world", " 42"]);
    const r = rng(7);
    for (let i = 0; i < 50; i++) {
      const s = randomText(r, 40);
      expect(text.pretokenize(s).join("")).toBe(s);
    }
  });
});

describe("CharTokenizer", () => {
  it("numbers the corpus's characters in code point order", () => {
    const tok = text.CharTokenizer.fromText("hello world");
    expect(tok.chars).toEqual([" ", "d", "e", "h", "l", "o", "r", "w"]);
    expect(tok.vocabSize).toBe(9); // + <unk>
    expect(tok.encode("hold")).toEqual([3, 5, 4, 1]);
    expect(tok.decode(tok.encode("hello world"))).toBe("hello world");
  });

  it("treats astral characters as one token", () => {
    const tok = text.CharTokenizer.fromText("a🙂b");
    expect(tok.encode("🙂🙂a")).toEqual([2, 2, 0]);
    expect(tok.decode([2, 1])).toBe("🙂b");
  });

  it("maps unseen characters to <unk>, or spells them in bytes, or throws", () => {
    const unk = text.CharTokenizer.fromText("abc");
    expect(unk.encode("axé")).toEqual([0, unk.unkId, unk.unkId]);
    expect(unk.decode(unk.encode("axé"))).toBe("a\uFFFD\uFFFD");
    expect(unk.tokenString(unk.unkId)).toBe("<unk>");

    const bytes = text.CharTokenizer.fromText("abc", { unknown: "bytes" });
    expect(bytes.vocabSize).toBe(3 + 256);
    expect(bytes.encode("é")).toEqual([3 + 0xc3, 3 + 0xa9]);
    const r = rng(3);
    for (let i = 0; i < 20; i++) {
      const s = randomText(r, 30);
      expect(bytes.decode(bytes.encode(s))).toBe(s);
    }
    expect(bytes.tokenString(3 + 0xc3)).toBe("<0xC3>");

    const strict = text.CharTokenizer.fromText("abc", { unknown: "error" });
    expect(() => strict.encode("abz")).toThrow(/"z" \(U\+007A\) at position 2/);
    expect(() => strict.encode("abz")).toThrow(fx.ValueError);
  });

  it("rejects ids outside the vocabulary when decoding", () => {
    const tok = text.CharTokenizer.fromText("abc");
    expect(() => tok.decode([0, 4])).toThrow(fx.IndexError);
    expect(() => tok.decode([0, 1.5])).toThrow(/id 1.5 at position 1/);
  });
});

/** Byte-pair training written the slow, obvious way: recount every pair before every merge. */
function naiveMerges(corpus: string, numMerges: number): [number, number][] {
  const enc = new TextEncoder();
  let words = text.pretokenize(corpus).map((w) => Array.from(enc.encode(w)));
  const merges: [number, number][] = [];
  for (let m = 0; m < numMerges; m++) {
    const counts = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) counts.set(`${w[i]},${w[i + 1]}`, (counts.get(`${w[i]},${w[i + 1]}`) ?? 0) + 1);
    let best: [number, number] | null = null, bestCount = 0;
    for (const [k, c] of counts) {
      const [a, b] = k.split(",").map(Number) as [number, number];
      if (c > bestCount || (c === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestCount = c;
      }
    }
    if (!best || bestCount < 2) break;
    merges.push(best);
    const id = 256 + m;
    words = words.map((w) => {
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === best![0] && w[i + 1] === best![1]) { out.push(id); i++; } else out.push(w[i]!);
      }
      return out;
    });
  }
  return merges;
}

describe("BPETokenizer", () => {
  const tok = text.BPETokenizer.train(CORPUS, { vocabSize: 256 + 60 });

  it("learns the same merges as a naive recount-every-time trainer", () => {
    const expected = naiveMerges(CORPUS, 60);
    expect(tok.merges.map(([a, b]) => [a, b])).toEqual(expected);
    expect(tok.vocabSize).toBe(256 + expected.length);
    // The most frequent pair of this corpus is "h" followed by "e".
    expect(tok.tokenString(256 + tok.merges.findIndex(([a, b]) => a === 0x68 && b === 0x65))).toBe("he");
  });

  it("compresses the training text and round-trips it", () => {
    const ids = tok.encode(CORPUS);
    expect(ids.length).toBeLessThan(new TextEncoder().encode(CORPUS).length * 0.7);
    expect(tok.decode(ids)).toBe(CORPUS);
    expect(tok.tokenString(tok.encode(" the")[0]!)).toBe(" the");
  });

  it("round-trips arbitrary UTF-8 text exactly, unseen characters included", () => {
    const r = rng(11);
    for (let i = 0; i < 40; i++) {
      const s = randomText(r, 1 + Math.floor(r() * 60));
      const ids = tok.encode(s);
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize)).toBe(true);
      expect(tok.decode(ids)).toBe(s);
    }
    expect(tok.decode(tok.encode(""))).toBe("");
    expect(tok.encode("🙂")).toEqual([0xf0, 0x9f, 0x99, 0x82]);
  });

  it("keeps special tokens whole and out of the merges", () => {
    const sp = text.BPETokenizer.train([CORPUS, "<|end|>the end<|end|>"], { vocabSize: 256 + 20 + 1, specialTokens: ["<|end|>"] });
    const end = sp.specialId("<|end|>");
    expect(end).toBe(sp.vocabSize - 1);
    const ids = sp.encode("the fox<|end|>the dog");
    expect(ids.filter((i) => i === end)).toHaveLength(1);
    expect(sp.decode(ids)).toBe("the fox<|end|>the dog");
    expect(sp.tokenString(end)).toBe("<|end|>");
    expect(() => sp.specialId("<|start|>")).toThrow(fx.ValueError);
  });

  it("rejects a vocabulary size below the byte alphabet", () => {
    expect(() => text.BPETokenizer.train(CORPUS, { vocabSize: 100 })).toThrow(/vocabSize must be an integer from 256/);
  });
});

describe("vocabulary files", () => {
  const dir = mkdtempSync(join(tmpdir(), "fluxion-text-"));

  it("save then load gives a tokenizer that encodes identically", () => {
    const bpe = text.BPETokenizer.train(CORPUS, { vocabSize: 300, specialTokens: ["<s>"] });
    const chr = text.CharTokenizer.fromText(CORPUS, { unknown: "bytes" });
    for (const tok of [bpe, chr]) {
      const path = join(dir, `${tok.toJSON().type}.json`);
      text.saveTokenizer(path, tok);
      const back = text.loadTokenizer(path);
      const sample = "then the fox said 🙂 <s> 1234";
      expect(back.encode(sample)).toEqual(tok.encode(sample));
      expect(back.vocabSize).toBe(tok.vocabSize);
      expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(tok.toJSON());
    }
  });

  it("rejects malformed and hostile files with a FileFormatError", () => {
    const cases: [unknown, RegExp][] = [
      [{ format: "other", version: 1, type: "bpe", merges: [] }, /"format" must be "fluxion-tokenizer"/],
      [{ format: "fluxion-tokenizer", version: 2, type: "bpe", merges: [] }, /unsupported version 2/],
      [{ format: "fluxion-tokenizer", version: 1, type: "bpe", merges: [[256, 1]] }, /merge 0 joins \[256, 1\]/],
      [{ format: "fluxion-tokenizer", version: 1, type: "bpe", merges: [[1, 2], [1, 2]] }, /repeats the pair/],
      [{ format: "fluxion-tokenizer", version: 1, type: "bpe", merges: [["a", 2]] }, /merge 0 must be a pair of integer ids/],
      [{ format: "fluxion-tokenizer", version: 1, type: "char", chars: ["ab"], unknown: "unk" }, /must be one character/],
      [{ format: "fluxion-tokenizer", version: 1, type: "char", chars: ["a", "a"], unknown: "unk" }, /appears twice/],
      [{ format: "fluxion-tokenizer", version: 1, type: "wordpiece" }, /"type" must be "char" or "bpe"/],
    ];
    for (const [obj, msg] of cases) {
      const path = join(dir, "bad.json");
      writeFileSync(path, JSON.stringify(obj));
      expect(() => text.loadTokenizer(path)).toThrow(fx.FileFormatError);
      expect(() => text.loadTokenizer(path)).toThrow(msg);
    }
    writeFileSync(join(dir, "broken.json"), "{\"format\": ");
    expect(() => text.loadTokenizer(join(dir, "broken.json"))).toThrow(/not valid JSON/);
  });
});
