/**
 * Byte-level byte-pair encoding (as GPT-2's): the base vocabulary is the 256
 * byte values, so any string encodes (no unknown tokens) and decodes back
 * exactly. Training repeatedly merges the most frequent adjacent pair of
 * tokens inside pre-tokenized chunks (words, numbers, punctuation runs,
 * whitespace), adding one token per merge.
 */
import { IndexError, ValueError } from "../core/errors.js";
import { pretokenize } from "./pretokenize.js";
import { checkIds, type BPETokenizerJSON, type Tokenizer } from "./tokenizer.js";
import { utf8Bytes, utf8Decode } from "./utf8.js";

export interface BPETrainOptions {
  /** Final vocabulary size: 256 bytes + merges + special tokens (at least 256 + number of special tokens). */
  vocabSize: number;
  /** Strings that are kept whole as single tokens, e.g. "<|endoftext|>". */
  specialTokens?: string[];
  /** Stop early when the best pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

/** Pair (a, b) of ids as one number; ids stay below 2^21. */
const PAIR = 2 ** 21;
const pairKey = (a: number, b: number) => a * PAIR + b;
const MAX_VOCAB = PAIR;

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

/**
 *   const tok = text.BPETokenizer.train(corpus, { vocabSize: 512 });
 *   const ids = tok.encode("naïve café 🙂");
 *   tok.decode(ids);          // "naïve café 🙂" (exactly, even with unseen characters)
 *   text.tokenizerFromJSON(JSON.parse(JSON.stringify(tok))); // the same tokenizer
 */
export class BPETokenizer implements Tokenizer {
  readonly merges: readonly (readonly [number, number])[];
  readonly specialTokens: readonly string[];
  /** Bytes of every non-special token, by id. */
  private readonly tokenBytes: Uint8Array[];
  private readonly ranks = new Map<number, number>();
  private readonly specialIds = new Map<string, number>();
  private readonly specialPattern: RegExp | null;
  private readonly cache = new Map<string, number[]>();

  constructor(merges: readonly (readonly [number, number])[], specialTokens: readonly string[] = []) {
    if (256 + merges.length + specialTokens.length > MAX_VOCAB) throw new ValueError(`BPETokenizer: a vocabulary of ${256 + merges.length + specialTokens.length} ids is larger than the ${MAX_VOCAB} supported`);
    this.tokenBytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    merges.forEach(([a, b], i) => {
      const id = 256 + i;
      for (const x of [a, b]) {
        if (!Number.isInteger(x) || x < 0 || x >= id) throw new ValueError(`BPETokenizer: merge ${i} joins [${a}, ${b}], but a merge may only join ids below ${id} (bytes and earlier merges)`);
      }
      const key = pairKey(a, b);
      if (this.ranks.has(key)) throw new ValueError(`BPETokenizer: merge ${i} repeats the pair [${a}, ${b}] of merge ${this.ranks.get(key)}`);
      this.ranks.set(key, i);
      const ba = this.tokenBytes[a]!, bb = this.tokenBytes[b]!;
      const joined = new Uint8Array(ba.length + bb.length);
      joined.set(ba);
      joined.set(bb, ba.length);
      this.tokenBytes.push(joined);
    });
    this.merges = merges.map(([a, b]) => [a, b] as const);
    specialTokens.forEach((s, i) => {
      if (typeof s !== "string" || s.length === 0) throw new ValueError(`BPETokenizer: special token ${i} must be a non-empty string`);
      if (this.specialIds.has(s)) throw new ValueError(`BPETokenizer: special token ${JSON.stringify(s)} appears twice`);
      this.specialIds.set(s, 256 + merges.length + i);
    });
    this.specialTokens = [...specialTokens];
    this.specialPattern = specialPatternOf(this.specialTokens);
  }

  /** Learns merges from a corpus (a string or a list of documents). */
  static train(corpus: string | readonly string[], opts: BPETrainOptions): BPETokenizer {
    const specials = opts.specialTokens ?? [];
    const minFrequency = opts.minFrequency ?? 2;
    if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < 256 + specials.length || opts.vocabSize > MAX_VOCAB) {
      throw new ValueError(`BPETokenizer.train: vocabSize must be an integer from ${256 + specials.length} (256 bytes + ${specials.length} special tokens) to ${MAX_VOCAB}, got ${opts.vocabSize}`);
    }
    const docs = typeof corpus === "string" ? [corpus] : corpus;
    const pattern = specialPatternOf(specials);
    const counts = new Map<string, number>();
    for (const doc of docs) {
      for (const piece of pattern ? doc.split(pattern) : [doc]) {
        if (specials.includes(piece)) continue;
        for (const chunk of pretokenize(piece)) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
      }
    }
    const merges = learnMerges(counts, opts.vocabSize - 256 - specials.length, minFrequency);
    return new BPETokenizer(merges, specials);
  }

  get vocabSize(): number {
    return this.tokenBytes.length + this.specialTokens.length;
  }

  /** The id of a special token. */
  specialId(token: string): number {
    const id = this.specialIds.get(token);
    if (id === undefined) throw new ValueError(`BPETokenizer: ${JSON.stringify(token)} is not one of the special tokens [${this.specialTokens.map((s) => JSON.stringify(s)).join(", ")}]`);
    return id;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    const pieces = this.specialPattern ? text.split(this.specialPattern) : [text];
    for (const piece of pieces) {
      const special = this.specialIds.get(piece);
      if (special !== undefined) {
        out.push(special);
        continue;
      }
      for (const chunk of pretokenize(piece)) for (const id of this.encodeChunk(chunk)) out.push(id);
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    checkIds("BPETokenizer.decode", ids, this.vocabSize, (m) => new IndexError(m));
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const bytes = id < this.tokenBytes.length ? this.tokenBytes[id]! : utf8Bytes(this.specialTokens[id - this.tokenBytes.length]!);
      parts.push(bytes);
      total += bytes.length;
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return utf8Decode(all);
  }

  /** The token's text, or its bytes as <0xAB> when they are not whole UTF-8 characters. */
  tokenString(id: number): string {
    checkIds("BPETokenizer.tokenString", [id], this.vocabSize, (m) => new IndexError(m));
    if (id >= this.tokenBytes.length) return this.specialTokens[id - this.tokenBytes.length]!;
    const bytes = this.tokenBytes[id]!;
    try {
      return strictDecoder.decode(bytes);
    } catch {
      return [...bytes].map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`).join("");
    }
  }

  toJSON(): BPETokenizerJSON {
    return { format: "fluxion-tokenizer", version: 1, type: "bpe", merges: this.merges.map(([a, b]) => [a, b]), specialTokens: [...this.specialTokens] };
  }

  /** Applies the merges to one chunk's bytes, lowest rank (earliest learned) first. */
  private encodeChunk(chunk: string): number[] {
    const hit = this.cache.get(chunk);
    if (hit) return hit;
    let ids = Array.from(utf8Bytes(chunk));
    for (;;) {
      let bestRank = Infinity, bestPair = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.ranks.get(pairKey(ids[i]!, ids[i + 1]!));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestPair = pairKey(ids[i]!, ids[i + 1]!);
        }
      }
      if (bestPair < 0) break;
      ids = mergePair(ids, Math.floor(bestPair / PAIR), bestPair % PAIR, 256 + bestRank);
    }
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(chunk, ids);
    return ids;
  }
}

/** A regex that splits text around special tokens (keeping them), longest first so one never shadows a longer one. */
function specialPatternOf(specials: readonly string[]): RegExp | null {
  if (specials.length === 0) return null;
  const escaped = [...specials].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`(${escaped.join("|")})`);
}

/** Replaces every non-overlapping occurrence of (a, b), left to right, by `id`. */
function mergePair(ids: readonly number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]!);
  }
  return out;
}

/**
 * The merge loop over chunk types weighted by their counts. Pair counts are
 * kept up to date incrementally: a merge only revisits the chunks that
 * contain the merged pair. Ties go to the smallest pair (a, b), so training
 * is deterministic.
 */
function learnMerges(counts: Map<string, number>, numMerges: number, minFrequency: number): [number, number][] {
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [chunk, n] of counts) {
    words.push(Array.from(utf8Bytes(chunk)));
    freq.push(n);
  }
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const s = words[w]!;
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i]!, s[i + 1]!);
      const c = (pairCount.get(k) ?? 0) + sign * freq[w]!;
      if (c === 0) pairCount.delete(k);
      else pairCount.set(k, c);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((_, w) => addPairs(w, 1));
  const merges: [number, number][] = [];
  while (merges.length < numMerges) {
    let best = -1, bestCount = 0;
    for (const [k, c] of pairCount) {
      if (c > bestCount || (c === bestCount && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    if (best < 0 || bestCount < minFrequency) break;
    const a = Math.floor(best / PAIR), b = best % PAIR;
    const id = 256 + merges.length;
    merges.push([a, b]);
    // Membership can be stale (a chunk that lost the pair in an earlier merge); recomputing from the chunk is exact anyway.
    for (const w of pairWords.get(best) ?? []) {
      const s = words[w]!;
      let has = false;
      for (let i = 0; i + 1 < s.length && !has; i++) has = s[i] === a && s[i + 1] === b;
      if (!has) continue;
      addPairs(w, -1);
      words[w] = mergePair(s, a, b, id);
      addPairs(w, 1);
    }
    pairWords.delete(best);
  }
  return merges;
}
