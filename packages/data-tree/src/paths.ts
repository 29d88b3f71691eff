// Path rules (ZooKeeper's PathUtils) and the fixed system paths.

export const ROOT = '/';
export const PROC_ZOOKEEPER = '/zookeeper';
export const QUOTA_ZOOKEEPER = '/zookeeper/quota';
export const CONFIG_ZOOKEEPER = '/zookeeper/config';
/** Nodes under this prefix are left out of the digest, as in ZooKeeper. */
export const ZOOKEEPER_SUBTREE = '/zookeeper/';
/** Sequential suffix width: "%010d". */
export const SEQUENCE_DIGITS = 10;

/** Returns why `path` is not a valid znode path, or null when it is. */
export function pathProblem(path: string, isSequential = false): string | null {
  if (isSequential) path = path + '1';
  if (typeof path !== 'string' || path.length === 0) return 'path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'path must start with / character';
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'path must not end with / character';
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    const nextIsEnd = i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f;
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && last === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && nextIsEnd) return `relative paths not allowed @${i}`;
    } else if (c === 0x2e) {
      if (path.charCodeAt(i - 1) === 0x2f && nextIsEnd) return `relative paths not allowed @${i}`;
    } else if (
      (c > 0 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `invalid character @${i}`;
    }
  }
  return null;
}

/** Parent of a path ("/" for top-level nodes); "" normalises to the root like ZooKeeper's alias. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? ROOT : path.substring(0, i);
}

export function childNameOf(path: string): string {
  return path.substring(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === ROOT ? `/${child}` : `${parent}/${child}`;
}

export function isSpecialPath(path: string): boolean {
  return path === ROOT || path === PROC_ZOOKEEPER || path === QUOTA_ZOOKEEPER || path === CONFIG_ZOOKEEPER;
}

export function sequentialSuffix(n: number): string {
  // Java's %010d: negative numbers keep their sign inside the width.
  const s = String(Math.abs(n)).padStart(n < 0 ? SEQUENCE_DIGITS - 1 : SEQUENCE_DIGITS, '0');
  return n < 0 ? `-${s}` : s;
}
