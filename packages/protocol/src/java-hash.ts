// java.lang.String.hashCode, for code that must reproduce the iteration order of ZooKeeper's
// Java hash sets (ephemerals by session, a connection's auth ids), which clients can observe.

/** String.hashCode over UTF-16 code units, with int32 overflow. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
