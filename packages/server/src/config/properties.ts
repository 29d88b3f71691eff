/**
 * Java `Properties.load` semantics for zoo.cfg text, keeping the line number of each entry so
 * errors can point at it. ZooKeeper then trims key and value (QuorumPeerConfig), so we do too.
 */
import { ConfigError } from './errors.js';

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based physical line where the logical entry starts. */
  readonly line: number;
}

/** Java's whitespace for properties files: space, tab, form feed. */
const isPropWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\f';

/** Java String.trim(): strips every char <= U+0020 at both ends. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/** True when the line ends in an odd number of backslashes (a continuation). */
function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function stripLeading(line: string): string {
  let i = 0;
  while (i < line.length && isPropWhitespace(line[i]!)) i++;
  return line.slice(i);
}

/** Resolves escapes the way Properties.loadConvert does; a bad \u is an error, as in Java. */
function unescape(raw: string, fileName: string, line: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= raw.length) break; // a lone trailing backslash is dropped
    const e = raw[i]!;
    if (e === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError({ fileName, line, message: `malformed \\uxxxx escape "\\u${hex}"` });
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else out += e; // \X -> X for any other character (\=, \:, \\, \ , \#)
  }
  return out;
}

/** Splits one logical line into its raw (still escaped) key and value. */
function splitKeyValue(logical: string): { rawKey: string; rawValue: string } {
  let i = 0;
  let keyEnd = logical.length;
  let valueStart = logical.length;
  let hasSep = false;
  for (; i < logical.length; i++) {
    const c = logical[i]!;
    if (c === '\\') {
      i++; // the escaped char belongs to the key
      continue;
    }
    if (c === '=' || c === ':') {
      keyEnd = i;
      valueStart = i + 1;
      hasSep = true;
      break;
    }
    if (isPropWhitespace(c)) {
      keyEnd = i;
      valueStart = i + 1;
      break;
    }
  }
  let j = valueStart;
  while (j < logical.length && isPropWhitespace(logical[j]!)) j++;
  // "key  = value": whitespace then one '=' or ':' is still the separator.
  if (!hasSep && j < logical.length && (logical[j] === '=' || logical[j] === ':')) {
    j++;
    while (j < logical.length && isPropWhitespace(logical[j]!)) j++;
  }
  return { rawKey: logical.slice(0, keyEnd), rawValue: logical.slice(j) };
}

/**
 * Parses properties text into entries in file order (duplicates kept; the caller decides).
 * Line terminators: \n, \r\n or \r, as Java accepts.
 */
export function parseProperties(text: string, fileName = 'zoo.cfg'): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let n = 0; n < lines.length; n++) {
    const startLine = n + 1;
    let current = stripLeading(lines[n]!);
    if (current.length === 0) continue;
    if (current[0] === '#' || current[0] === '!') continue; // comments never continue
    let logical = '';
    while (endsWithContinuation(current)) {
      logical += current.slice(0, -1);
      n++;
      if (n >= lines.length) {
        current = '';
        break;
      }
      current = stripLeading(lines[n]!);
    }
    logical += current;
    const { rawKey, rawValue } = splitKeyValue(logical);
    const key = javaTrim(unescape(rawKey, fileName, startLine));
    const value = javaTrim(unescape(rawValue, fileName, startLine));
    entries.push({ key, value, line: startLine });
  }
  return entries;
}
