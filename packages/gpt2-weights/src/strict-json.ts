// A strict JSON parser for untrusted headers: objects become Maps (so `__proto__` is just a key),
// duplicate keys are an error (JSON.parse silently keeps the last one), nesting depth is bounded
// (no stack overflow), and every failure is a StrictJsonError with the byte position.
import { GPT2WeightsError } from './errors.js';

/** A parsed JSON value; objects are Maps in source order. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object as a Map. */
export type JsonObject = Map<string, JsonValue>;

/** Syntax errors, duplicate keys, excessive nesting. */
export class StrictJsonError extends GPT2WeightsError {
  override name = 'StrictJsonError';
}

const MAX_DEPTH = 64;

/** Parses `text` as one JSON value (surrounding whitespace allowed), rejecting duplicate keys. */
export function parseStrictJson(text: string): JsonValue {
  let i = 0;
  const fail = (msg: string): never => {
    throw new StrictJsonError(`${msg} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const parseString = (): string => {
    // text[i] === '"'
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 1;
            fail('bad escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const NUM = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: JsonObject = new Map();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a string key');
        const key = parseString();
        if (obj.has(key)) fail(`duplicate key "${key.slice(0, 80)}"`);
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj.set(key, parseValue(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail('unexpected character');
  };
  const v = parseValue(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
