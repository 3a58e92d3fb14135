/**
 * A small strict JSON parser for untrusted file headers.
 *
 * `JSON.parse` is not enough for hostile input: it silently keeps the last of
 * two duplicate keys, rounds integers beyond 2^53 without telling, and builds
 * ordinary objects whose `__proto__` key is special. This parser
 * - rejects duplicate keys, lone UTF-16 surrogates and nesting deeper than 64,
 * - keeps every number's source text so callers can check it is an exact integer,
 * - returns objects as `Map`s, so no key can reach an object prototype.
 *
 * Grammar: RFC 8259 exactly (no comments, no trailing commas, no NaN).
 */

/** A number with its source text, e.g. `{ raw: "1e3", value: 1000 }`. */
export class JsonNumber {
  constructor(readonly raw: string, readonly value: number) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A syntax problem at a character offset of the parsed text. */
export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} at character ${offset}`);
  }
}

const MAX_DEPTH = 64;

export function parseStrictJson(text: string): JsonValue {
  let pos = 0;

  const fail = (reason: string, at = pos): never => {
    throw new JsonSyntaxError(reason, at);
  };
  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };
  const expectWord = (word: string): void => {
    if (text.startsWith(word, pos)) pos += word.length;
    else fail(`unexpected ${describeAt(text, pos)}`);
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = "";
    let runStart = pos;
    while (true) {
      if (pos >= text.length) fail("unterminated string", start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) fail("control character in string (must be escaped)");
      if (c >= 0xd800 && c <= 0xdfff) {
        const low = text.charCodeAt(pos + 1);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) fail("lone surrogate in string");
        pos += 2;
        continue;
      }
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(runStart, pos);
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const unit = readHex4();
          if (unit >= 0xdc00 && unit <= 0xdfff) fail("lone low surrogate in \\u escape", pos - 6);
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (text[pos] !== "\\" || text[pos + 1] !== "u") fail("lone high surrogate in \\u escape", pos - 6);
            pos += 2;
            const low = readHex4();
            if (low < 0xdc00 || low > 0xdfff) fail("high surrogate not followed by a low surrogate", pos - 6);
            out += String.fromCharCode(unit, low);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          fail(`invalid escape \\${e ?? ""}`, pos - 2);
      }
      runStart = pos;
    }
    out += text.slice(runStart, pos);
    pos++; // closing quote
    return out;
  };

  const readHex4 = (): number => {
    const hex = text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("\\u escape needs 4 hex digits");
    pos += 4;
    return parseInt(hex, 16);
  };

  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseNumber = (): JsonNumber => {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (!m || m[0] === "-") fail(`invalid number`);
    const raw = m![0];
    pos += raw.length;
    const next = text[pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) fail(`invalid number`);
    return new JsonNumber(raw, Number(raw));
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    skipWhitespace();
    const c = text[pos];
    switch (c) {
      case "{": return parseObject(depth);
      case "[": return parseArray(depth);
      case '"': return parseString();
      case "t": expectWord("true"); return true;
      case "f": expectWord("false"); return false;
      case "n": expectWord("null"); return null;
      default:
        if (c !== undefined && (c === "-" || (c >= "0" && c <= "9"))) return parseNumber();
        return fail(`unexpected ${describeAt(text, pos)}`);
    }
  };

  const parseObject = (depth: number): JsonObject => {
    const obj: JsonObject = new Map();
    pos++;
    skipWhitespace();
    if (text[pos] === "}") {
      pos++;
      return obj;
    }
    while (true) {
      skipWhitespace();
      if (text[pos] !== '"') fail(`expected a string key, found ${describeAt(text, pos)}`);
      const keyAt = pos;
      const key = parseString();
      if (obj.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      skipWhitespace();
      if (text[pos] !== ":") fail(`expected ':' after key ${JSON.stringify(key)}, found ${describeAt(text, pos)}`);
      pos++;
      obj.set(key, parseValue(depth + 1));
      skipWhitespace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "}") {
        pos++;
        return obj;
      }
      fail(`expected ',' or '}' in object, found ${describeAt(text, pos)}`);
    }
  };

  const parseArray = (depth: number): JsonValue[] => {
    const arr: JsonValue[] = [];
    pos++;
    skipWhitespace();
    if (text[pos] === "]") {
      pos++;
      return arr;
    }
    while (true) {
      arr.push(parseValue(depth + 1));
      skipWhitespace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return arr;
      }
      fail(`expected ',' or ']' in array, found ${describeAt(text, pos)}`);
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail(`unexpected ${describeAt(text, pos)} after the JSON value`);
  return value;
}

function describeAt(text: string, pos: number): string {
  if (pos >= text.length) return "end of input";
  return JSON.stringify(text.slice(pos, pos + 12));
}

/** The JSON type of a parsed value, for error messages. */
export function jsonTypeName(v: JsonValue): string {
  if (v === null) return "null";
  if (v instanceof JsonNumber) return "number";
  if (v instanceof Map) return "object";
  if (Array.isArray(v)) return "array";
  return typeof v;
}
