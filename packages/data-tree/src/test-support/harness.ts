// A tiny single-server pipeline for tests: prep -> apply, with a counter for zxid and time.
import { CreateMode, OpCode, OPEN_ACL_UNSAFE } from '@zkts/protocol';
import type { ACL } from '@zkts/protocol';
import { DataTree } from '../data-tree.js';
import { OutstandingChanges, prepareRequest } from '../prep.js';
import type { PrepContext, WriteRequest } from '../prep.js';
import type { ProcessTxnResult } from '../txn.js';

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

export class Harness {
  tree = new DataTree();
  zxid = 0;
  time = 1000;
  outstanding = new OutstandingChanges();
  denied = new Set<string>(); // "perm:path" pairs the ACL callback refuses

  ctx(sessionId: bigint, extra: Partial<PrepContext> = {}): PrepContext {
    return {
      sessionId,
      cxid: 1,
      zxid: ++this.zxid,
      time: (this.time += 10),
      checkAcl: (_acl, perm, path) => !this.denied.has(`${perm}:${path}`),
      fixupAcl: (_p, acl: readonly ACL[]) => (acl.length === 0 ? -114 : [...acl]),
      ttlEnabled: true,
      outstanding: this.outstanding,
      ...extra,
    };
  }

  /** Prepares and applies one request like a standalone server. */
  run(req: WriteRequest, sessionId = 1n, extra: Partial<PrepContext> = {}): ProcessTxnResult & { warnings: string[] } {
    const p = prepareRequest(this.tree, req, this.ctx(sessionId, extra));
    const rc = this.tree.processTxn(p.hdr, p.txn);
    this.outstanding.applied(p.hdr.zxid);
    return { ...rc, warnings: p.quotaWarnings };
  }

  create(path: string, data = '', flags: number = CreateMode.persistent, sessionId = 1n) {
    return this.run({ type: OpCode.create2, path, data: enc(data), acl: OPEN_ACL_UNSAFE, flags }, sessionId);
  }
  createTTL(path: string, ttl: number) {
    return this.run({ type: OpCode.createTTL, path, data: enc(''), acl: OPEN_ACL_UNSAFE, flags: CreateMode.persistentWithTtl, ttl });
  }
  createContainer(path: string) {
    return this.run({ type: OpCode.createContainer, path, data: enc(''), acl: OPEN_ACL_UNSAFE, flags: CreateMode.container });
  }
  del(path: string, version = -1) {
    return this.run({ type: OpCode.delete, path, version });
  }
  set(path: string, data: string, version = -1) {
    return this.run({ type: OpCode.setData, path, data: enc(data), version });
  }
}
