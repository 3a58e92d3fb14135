/**
 * Splits text into the chunks a byte-pair encoder merges within, so merges
 * never cross a word boundary: an optional leading space with a run of
 * letters, of digits, or of other symbols; and runs of whitespace (a run
 * before a word leaves its last space to the word). The chunks always
 * concatenate back to the input.
 *
 *   pretokenize("Hello,  world 42") // ["Hello", ",", " ", " world", " 42"]
 */
const CHUNK = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function pretokenize(text: string): string[] {
  const out: string[] = [];
  let end = 0;
  for (const m of text.matchAll(CHUNK)) {
    // Every character belongs to one of the classes, so there is no gap; keep one anyway rather than lose text.
    if (m.index! > end) out.push(text.slice(end, m.index));
    out.push(m[0]);
    end = m.index! + m[0].length;
  }
  if (end < text.length) out.push(text.slice(end));
  return out;
}
