// Small reproductions of java.lang behaviour that ZooKeeper's providers depend on.

/** Java's String.split(literal) with limit 0: trailing empty strings are dropped. */
export function javaSplitDropTrailing(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  // Java returns [""] for an empty input, and [] when every part is empty (e.g. ":" split on ":").
  if (parts.length === 1 && parts[0] === '' && s.length > 0) return [];
  return parts;
}

/** Java's String.split(literal, limit) with limit > 0: at most `limit` parts, the rest kept whole. */
export function javaSplitLimit(s: string, sep: string, limit: number): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < limit - 1) {
    const at = s.indexOf(sep, from);
    if (at < 0) break;
    out.push(s.slice(from, at));
    from = at + sep.length;
  }
  out.push(s.slice(from));
  return out;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Java's Integer.parseInt(s, radix): optional sign, at least one digit, int32 range; else undefined. */
export function javaParseInt(s: string, radix = 10): number | undefined {
  const digits = radix === 16 ? /^[+-]?[0-9a-fA-F]+$/ : /^[+-]?[0-9]+$/;
  if (!digits.test(s)) return undefined;
  const v = parseInt(s, radix);
  if (!Number.isFinite(v) || v < INT32_MIN || v > INT32_MAX) return undefined;
  return v;
}
