/**
 * Numeric CSV files, parsed by RFC 4180's rules: fields separated by a
 * delimiter, records by CRLF or LF; a field may be quoted with `"`, and then
 * holds delimiters, line breaks and `""` (one literal quote). Blank lines are
 * skipped. Every record must have as many fields as the first.
 */
import { allocate, type DType } from "../core/dtype.js";
import { FileFormatError, ValueError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";
import { type Tensor } from "../core/tensor.js";
import { fromTypedArray } from "../primitives/constant.js";

export interface CsvOptions {
  /** The first record holds column names (default true). */
  header?: boolean;
  /** One character (default ","). */
  delimiter?: string;
  /** float32 (default) or float64. */
  dtype?: "float32" | "float64";
}

export interface CsvTable {
  /** Column names from the header, or "0", "1", ... without one. */
  columns: string[];
  /** The values, [rows, columns]. Empty fields are NaN. */
  data: Tensor;
}

/**
 * Reads a CSV file of numbers into a [rows, columns] tensor.
 *
 *   const { columns, data: table } = data.loadCsv("iris.csv");
 *   const x = table.slice(":", "0:4");
 */
export function loadCsv(path: string, opts: CsvOptions = {}): CsvTable {
  const op = `loadCsv(${JSON.stringify(path)})`;
  return parseCsv(nodeModule("node:fs", op).readFileSync(path, "utf8"), opts, op);
}

/** Same as loadCsv, for text already in memory. */
export function parseCsv(text: string, opts: CsvOptions = {}, op = "parseCsv"): CsvTable {
  const delimiter = opts.delimiter ?? ",";
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\r" || delimiter === "\n") {
    throw new ValueError(`${op}: delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  const dtype: DType = opts.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`${op}: dtype must be float32 or float64, got ${JSON.stringify(dtype)}`);
  const records = parseRecords(op, text.startsWith("\ufeff") ? text.slice(1) : text, delimiter);

  const header = opts.header ?? true;
  const first = records[0];
  const width = first ? first.fields.length : 0;
  const columns = header ? (first?.fields ?? []) : Array.from({ length: width }, (_, i) => String(i));
  const body = header ? records.slice(1) : records;
  const out = allocate(dtype, body.length * width);
  body.forEach((rec, r) => {
    if (rec.fields.length !== width) {
      throw new FileFormatError(`${op}: line ${rec.line} has ${rec.fields.length} fields but the ${header ? "header" : "first line"} has ${width}`);
    }
    rec.fields.forEach((field, c) => {
      const v = parseNumber(field);
      if (v === undefined) throw new FileFormatError(`${op}: line ${rec.line}, column ${JSON.stringify(columns[c])}: ${JSON.stringify(field)} is not a number`);
      out[r * width + c] = v;
    });
  });
  return { columns, data: fromTypedArray(out, [body.length, width], dtype) };
}

const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A decimal number, nan or inf (any case); an empty field is NaN; anything else is undefined. */
function parseNumber(field: string): number | undefined {
  const s = field.trim();
  if (s === "") return NaN;
  if (DECIMAL.test(s)) return Number(s);
  const lower = s.toLowerCase();
  if (lower === "nan") return NaN;
  if (/^[+]?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  return undefined;
}

interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

function parseRecords(op: string, text: string, delimiter: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const recordLine = line;
    const fields: string[] = [];
    let anyQuoted = false;
    while (true) {
      let value: string;
      if (text[pos] === '"') {
        anyQuoted = true;
        const startLine = line;
        let chunks = "";
        let at = pos + 1;
        while (true) {
          const q = text.indexOf('"', at);
          if (q < 0) throw new FileFormatError(`${op}: quoted field starting on line ${startLine} is never closed`);
          chunks += text.slice(at, q);
          at = q + 1;
          if (text[at] !== '"') break;
          chunks += '"';
          at++;
        }
        line += countNewlines(text, pos, at);
        value = chunks;
        pos = at;
        const next = text[pos];
        if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
          throw new FileFormatError(`${op}: line ${line}: unexpected ${JSON.stringify(next)} after a closing quote (expected ${JSON.stringify(delimiter)} or a line break)`);
        }
      } else {
        let end = pos;
        while (end < text.length && text[end] !== delimiter && text[end] !== "\n" && text[end] !== "\r") end++;
        value = text.slice(pos, end);
        if (value.includes('"')) {
          throw new FileFormatError(`${op}: line ${line}: a quote inside an unquoted field (${JSON.stringify(value)}); quote the whole field and double inner quotes`);
        }
        pos = end;
      }
      fields.push(value);
      if (pos >= text.length) break;
      if (text[pos] === delimiter) {
        pos++;
        continue;
      }
      // A line break (CRLF, LF or a lone CR) ends the record.
      pos += text[pos] === "\r" && text[pos + 1] === "\n" ? 2 : 1;
      line++;
      break;
    }
    const blankLine = fields.length === 1 && fields[0] === "" && !anyQuoted;
    if (!blankLine) records.push({ fields, line: recordLine });
  }
  return records;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] !== "\n")) n++;
  }
  return n;
}
