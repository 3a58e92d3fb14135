/** UTF-8 conversion shared by the tokenizers. */
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** The UTF-8 bytes of a string (a lone surrogate, which UTF-8 cannot hold, becomes U+FFFD). */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8; invalid sequences (e.g. a sequence cut in the middle of a character) become U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
