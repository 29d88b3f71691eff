// Path rules (ZooKeeper's PathUtils) and the fixed system paths.

export const ROOT = '/';
export const PROC_ZOOKEEPER = '/zookeeper';
export const QUOTA_ZOOKEEPER = '/zookeeper/quota';
export const CONFIG_ZOOKEEPER = '/zookeeper/config';
/** Nodes under this prefix are left out of the digest, as in ZooKeeper. */
export const ZOOKEEPER_SUBTREE = '/zookeeper/';
/** Sequential suffix width: "%010d". */
export const SEQUENCE_DIGITS = 10;

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
