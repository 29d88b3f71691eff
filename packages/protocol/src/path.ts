// Znode path rules, as ZooKeeper's PathUtils.validatePath states them, plus small path helpers.

/** A path ZooKeeper would refuse; `reason` is ZooKeeper's own wording. */
export class InvalidPathError extends Error {
  constructor(readonly path: string, readonly reason: string, message: string) {
    super(message);
    this.name = 'InvalidPathError';
  }
}

const SLASH = 0x2f;
const DOT = 0x2e;

/** Whether a UTF-16 unit is one ZooKeeper refuses in a path (controls, surrogates, private use, specials). */
function isForbiddenUnit(c: number): boolean {
  return (
    (c > 0x0000 && c <= 0x001f) ||
    (c >= 0x007f && c <= 0x009f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  );
}

/** Shape checks that ZooKeeper reports without the "Invalid path string" prefix. */
function shapeError(path: string): string | undefined {
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== SLASH) return 'Path must start with / character';
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === SLASH) return 'Path must not end with / character';
  return undefined;
}

/** Per-character checks, reported with the index of the offending UTF-16 unit. */
function characterError(path: string): string | undefined {
  let last = SLASH;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    const atEndOfName = i + 1 === path.length || path.charCodeAt(i + 1) === SLASH;
    if (c === 0) return `null character not allowed @${i}`;
    if (c === SLASH && last === SLASH) return `empty node name specified @${i}`;
    if (c === DOT && last === DOT) {
      if (path.charCodeAt(i - 2) === SLASH && atEndOfName) return `relative paths not allowed @${i}`;
    } else if (c === DOT) {
      if (path.charCodeAt(i - 1) === SLASH && atEndOfName) return `relative paths not allowed @${i}`;
    } else if (isForbiddenUnit(c)) {
      return `invalid character @${i}`;
    }
  }
  return undefined;
}

/**
 * Why ZooKeeper would refuse `path`, or undefined when it is valid. A sequential create is
 * checked with a digit appended, so "/a/" is a valid sequential path.
 */
export function pathError(path: string, isSequential = false): string | undefined {
  const p = isSequential ? `${path}1` : path;
  return shapeError(p) ?? characterError(p);
}

/** Throws InvalidPathError with ZooKeeper's message when `path` is not a valid znode path. */
export function validatePath(path: string, isSequential = false): void {
  const p = isSequential ? `${path}1` : path;
  const shape = shapeError(p);
  if (shape !== undefined) throw new InvalidPathError(path, shape, shape);
  const reason = characterError(p);
  if (reason !== undefined) {
    throw new InvalidPathError(path, reason, `Invalid path string "${p}" caused by ${reason}`);
  }
}

/** The parent of a valid non-root path ("/a/b" -> "/a", "/a" -> "/"). */
export function parentOf(path: string): string {
  if (path === '/') throw new RangeError('parentOf: the root has no parent');
  const cut = path.lastIndexOf('/');
  if (cut < 0) throw new RangeError(`parentOf: "${path}" is not absolute`);
  return cut === 0 ? '/' : path.slice(0, cut);
}

/** The last name of a path ("/a/b" -> "b"); the root's is "". */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
