// Shared formatting for the storage tools: txn type names, txn fields as text (like ZooKeeper's
// TxnLogToolkit) and as JSON-safe values (bigints and ids as 0x hex, bytes as hex).
import { type ACL, OpCode, type Txn } from '@zkts/protocol';
import { type CorruptionError, type LogEntry, zxidToHex } from '@zkts/txn-log';

const OP_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(OpCode).map(([name, code]) => [code, name]));

/** ZooKeeper's name for an op code (create, setData, createSession, ...), or `unknown(<n>)`. */
export const opName = (type: number): string => OP_NAMES.get(type) ?? `unknown(${type})`;

/** Session ids as ZooKeeper prints them: 0x + lower-case hex of the unsigned 64-bit value. */
export const sessionHex = (id: bigint): string => `0x${BigInt.asUintN(64, id).toString(16)}`;

/** Data bytes longer than this are shortened in text output (the JSON always has all of them). */
export const TEXT_DATA_BYTES_MAX = 64;

export function bytesText(data: Uint8Array | null): string {
  if (data === null) return 'null';
  const hex = Buffer.from(data.subarray(0, TEXT_DATA_BYTES_MAX)).toString('hex');
  return `#${hex}${data.length > TEXT_DATA_BYTES_MAX ? `...(${data.length} bytes)` : ''}`;
}

/** `data` as text when it is printable UTF-8, else #hex (snapshot-dump --data). */
export function dataText(data: Uint8Array | null): string {
  if (data === null) return 'null';
  const s = Buffer.from(data).toString('utf8');
  return /^[\x20-\x7e\u00a0-\uffff\t\n\r]*$/.test(s) && !s.includes('\ufffd') ? JSON.stringify(s) : `#${Buffer.from(data).toString('hex')}`;
}

export const aclText = (acl: readonly ACL[]): string => `[${acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`).join(',')}]`;

/** One txn's fields as `name=value` pairs (a multi lists its parts in braces). */
export function txnFieldsText(txn: Txn): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(txn)) {
    if (k === 'type' || v === undefined) continue;
    if (k === 'txns' && Array.isArray(v)) {
      parts.push(`txns={${(v as Txn[]).map((t) => `${opName(t.type)} ${txnFieldsText(t)}`.trim()).join('; ')}}`);
    } else if (k === 'acl' && Array.isArray(v)) parts.push(`acl=${aclText(v as ACL[])}`);
    else if (v instanceof Uint8Array || v === null) parts.push(`${k}=${bytesText(v as Uint8Array | null)}`);
    else if (typeof v === 'bigint') parts.push(`${k}=${sessionHex(v)}`);
    else parts.push(`${k}=${Array.isArray(v) ? JSON.stringify(v) : String(v)}`);
  }
  return parts.join(' ');
}

/** A JSON-safe copy: bigints as 0x hex, bytes as hex strings, op codes in `type` as names. */
export function toJson(v: unknown, key = ''): unknown {
  if (typeof v === 'bigint') return sessionHex(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map((x) => toJson(x));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = k === 'type' && typeof x === 'number' && key !== 'id' ? opName(x) : toJson(x, k);
    return out;
  }
  return v;
}

/** ZooKeeper TxnLogToolkit's line: time, session, cxid, zxid, type, then the txn's fields. */
export function entryText(e: LogEntry): string {
  const { hdr, txn } = e;
  const fields = txnFieldsText(txn);
  const digest = e.digest ? ` digest=${sessionHex(e.digest.treeDigest)}` : '';
  return `${new Date(hdr.time).toISOString()} session ${sessionHex(hdr.clientId)} cxid 0x${hdr.cxid.toString(16)} zxid ${zxidToHex(hdr.zxid)} ${opName(hdr.type)}${fields ? ' ' + fields : ''}${digest}`;
}

export function entryJson(e: LogEntry): Record<string, unknown> {
  const { hdr, txn } = e;
  const { type: _type, ...fields } = txn;
  return {
    zxid: zxidToHex(hdr.zxid),
    time: hdr.time,
    session: sessionHex(hdr.clientId),
    cxid: hdr.cxid,
    type: opName(hdr.type),
    txn: toJson(fields),
    ...(e.digest ? { digest: { version: e.digest.version, treeDigest: sessionHex(e.digest.treeDigest) } } : {}),
  };
}

/** A CorruptionError's reason without its "<file>: corrupt at offset <n>: " prefix. */
export function corruptionDetail(e: CorruptionError): string {
  const prefix = `${e.file}: corrupt at offset ${e.offset}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}
