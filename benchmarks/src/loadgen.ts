// End-to-end load generator speaking ZooKeeper's client protocol: many connections, each with a
// fixed number of requests in flight (pipelined, one xid per request), a weighted op mix, a
// warm-up and a measured window. Latency goes into a log-linear histogram.
//
// Built to stay out of the way of the server it measures:
// - every request frame is encoded once up front (one template per op and key, with
//   encodeRequest) and copied into the batch with its xid patched in;
// - the replies of a socket chunk are all decoded (FrameDecoder), then the requests that replace
//   them go out in one buffer with one socket.write;
// - the clock is read once per chunk, the hot path decodes only the ReplyHeader (`decode: 'full'`
//   runs decodeReply on every reply instead, to check bodies).
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  ConnectRequest,
  ConnectResponse,
  CreateMode,
  ErrorCode,
  ErrorCodeName,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OPEN_ACL_UNSAFE,
  OpCode,
  ReplyHeader,
  decodeReply,
  encodeFrame,
  encodeRequest,
} from '@zkts/protocol';
import { Histogram } from './histogram.js';

export type OpName = 'get' | 'set' | 'create' | 'exists' | 'children';
export const OP_NAMES: readonly OpName[] = ['get', 'set', 'create', 'exists', 'children'];
const READ_OPS: ReadonlySet<OpName> = new Set(['get', 'exists', 'children']);

/** Named workloads: weights of each op. `mixed` is 90 % reads. */
export const WORKLOADS: Readonly<Record<string, Partial<Record<OpName, number>>>> = {
  get: { get: 100 },
  set: { set: 100 },
  create: { create: 100 },
  exists: { exists: 100 },
  children: { children: 100 },
  mixed: { get: 70, exists: 10, children: 10, set: 10 },
};

/** A mix of `readPercent` % getData and the rest setData. */
export function mixFromReadPercent(readPercent: number): Partial<Record<OpName, number>> {
  const r = Math.max(0, Math.min(100, readPercent));
  return { get: r, set: 100 - r };
}

/** The tree the ops use; `populate` creates it. */
export interface TreeLayout {
  /** Parent of everything, e.g. `/zkts-bench`. */
  root: string;
  /** Nodes `<root>/k/n<i>` read and written by get/set/exists. */
  keys: number;
  /** Bytes of data of each key node and of each set/create. */
  valueSize: number;
  /** Children of `<root>/l`, listed by getChildren. */
  listChildren: number;
}

export const DEFAULT_LAYOUT: TreeLayout = { root: '/zkts-bench', keys: 1000, valueSize: 100, listChildren: 10 };

export interface LoadOptions extends Partial<TreeLayout> {
  host?: string;
  port: number;
  connections: number;
  /** Requests outstanding per connection. */
  inFlight: number;
  /** Op weights (need not sum to 100). */
  mix: Partial<Record<OpName, number>>;
  warmupMs: number;
  durationMs: number;
  /** Session timeout asked for in the handshake. */
  sessionTimeoutMs?: number;
  seed?: number;
  /** 'header' (default) reads the ReplyHeader only; 'full' decodes every reply with decodeReply. */
  decode?: 'header' | 'full';
  /** How long to wait for outstanding replies after the measured window. */
  drainTimeoutMs?: number;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  /** Replies received inside the measured window, per second. */
  opsPerSec: number;
  completed: number;
  measuredMs: number;
  /** Milliseconds, from the histogram. */
  latencyMs: LatencySummary;
  /** Non-zero reply codes by name, plus `connection`/`protocol` failures, counted over the whole run. */
  errors: Record<string, number>;
  /** Requests answered in the measured window, by op. */
  byOp: Partial<Record<OpName, number>>;
  /** Histogram counts in µs buckets, sparse. */
  histogram: Array<[number, number]>;
  connections: number;
  inFlight: number;
}

const OP_CODE: Record<OpName, number> = {
  get: OpCode.getData,
  set: OpCode.setData,
  create: OpCode.create,
  exists: OpCode.exists,
  children: OpCode.getChildren,
};

export function keyPath(layout: TreeLayout, i: number): string {
  return `${layout.root}/k/n${String(i).padStart(7, '0')}`;
}

function frameOf(encode: (w: JuteWriter) => void): Buffer {
  const w = new JuteWriter(256);
  encode(w);
  return Buffer.from(w.toBuffer()); // own copy: templates live for the whole run
}

/** Request frame templates: `[op][key]`; xid 0, patched per send at byte 4. */
function buildTemplates(layout: TreeLayout, ops: readonly OpName[]): Map<OpName, Buffer[]> {
  const value = Buffer.alloc(layout.valueSize, 0x61);
  const out = new Map<OpName, Buffer[]>();
  for (const op of ops) {
    const frames: Buffer[] = [];
    if (op === 'create') {
      frames.push(frameOf((w) => encodeRequest(w, { xid: 0, type: OpCode.create }, {
        path: `${layout.root}/c/e-`, data: value, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.ephemeralSequential,
      })));
    } else if (op === 'children') {
      frames.push(frameOf((w) => encodeRequest(w, { xid: 0, type: OpCode.getChildren }, { path: `${layout.root}/l`, watch: false })));
    } else {
      for (let k = 0; k < layout.keys; k++) {
        const path = keyPath(layout, k);
        frames.push(frameOf((w) => {
          if (op === 'set') encodeRequest(w, { xid: 0, type: OpCode.setData }, { path, data: value, version: -1 });
          else encodeRequest(w, { xid: 0, type: OP_CODE[op] }, { path, watch: false });
        }));
      }
    }
    out.set(op, frames);
  }
  return out;
}

/** xorshift32: cheap, seeded, good enough to pick ops and keys. */
function rng(seed: number): () => number {
  let s = seed | 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

interface Shared {
  phase: 0 | 1 | 2; // warm-up, measuring, stopping
  hist: Histogram;
  completed: number;
  byOp: Float64Array;
  errors: Map<string, number>;
}

function countError(shared: Shared, name: string): void {
  shared.errors.set(name, (shared.errors.get(name) ?? 0) + 1);
}

/** Opens a session: resolves with the socket, its decoder and any frames that followed the ConnectResponse. */
function openSession(host: string, port: number, timeOut: number): Promise<{ socket: Socket; decoder: FrameDecoder; rest: Uint8Array[] }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const decoder = new FrameDecoder();
    const fail = (e: Error): void => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', fail);
    socket.once('close', () => reject(new Error('connection closed during handshake')));
    socket.once('connect', () => {
      const w = new JuteWriter(64);
      encodeFrame(w, ConnectRequest, {
        protocolVersion: 0, lastZxidSeen: 0, timeOut, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false,
      });
      socket.write(w.toBuffer());
    });
    const onData = (chunk: Buffer): void => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        fail(e as Error);
        return;
      }
      if (frames.length === 0) return;
      socket.off('data', onData);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      const resp = ConnectResponse.decode(new JuteReader(frames[0]!));
      if (resp.timeOut <= 0) {
        fail(new Error('session refused (timeOut 0)'));
        return;
      }
      resolve({ socket, decoder, rest: frames.slice(1) });
    };
    socket.on('data', onData);
  });
}

class Connection {
  private xid = 1;
  private readonly sendTimes: Float64Array;
  private readonly sentOps: Uint8Array;
  private readonly sentXids: Int32Array;
  private head = 0; // oldest outstanding
  private outstanding = 0;
  private closing = false;
  private closeXid = 0;
  private doneResolve!: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly decoder: FrameDecoder,
    private readonly shared: Shared,
    private readonly inFlight: number,
    private readonly templates: Buffer[][], // by op index
    private readonly cumWeights: Float64Array, // by op index
    private readonly opIsKeyed: boolean[],
    private readonly random: () => number,
    private readonly fullDecode: boolean,
    private readonly valueSize: number,
  ) {
    this.sendTimes = new Float64Array(inFlight);
    this.sentOps = new Uint8Array(inFlight);
    this.sentXids = new Int32Array(inFlight);
    this.done = new Promise((r) => (this.doneResolve = r));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!this.closing || this.outstanding > 0) countError(this.shared, 'connection');
      this.outstanding = 0;
      this.doneResolve();
    });
  }

  start(rest: Uint8Array[]): void {
    if (rest.length > 0) this.handleFrames(rest);
    this.send(this.inFlight - this.outstanding);
  }

  /** Stops sending; the session closes once every outstanding reply is in. */
  stop(): void {
    if (this.outstanding === 0) this.closeSession();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch {
      countError(this.shared, 'protocol');
      this.socket.destroy();
      return;
    }
    const answered = this.handleFrames(frames);
    if (this.shared.phase < 2) this.send(answered);
    else if (this.outstanding === 0 && !this.closing) this.closeSession();
  }

  private handleFrames(frames: Uint8Array[]): number {
    const shared = this.shared;
    const now = performance.now();
    const measuring = shared.phase === 1;
    let answered = 0;
    for (let f = 0; f < frames.length; f++) {
      const payload = frames[f]!;
      let xid: number;
      let err: number;
      if (this.fullDecode) {
        const ops = this.sentOps;
        const head = this.head;
        const expected = this.sentXids[head];
        const reply = decodeReply(payload, (x) => (x === expected ? OP_CODE[OP_NAMES[ops[head]!]!] : undefined));
        xid = reply.header.xid;
        err = reply.header.err;
        // A successful getData must carry the node's data (every key node has valueSize bytes).
        if (err === 0 && reply.op === OpCode.getData && (reply.body as { data: Uint8Array | null }).data?.length !== this.valueSize) {
          countError(shared, 'badReply');
        }
      } else {
        const header = ReplyHeader.decode(new JuteReader(payload));
        xid = header.xid;
        err = header.err;
      }
      if (this.closing && xid === this.closeXid) {
        this.socket.end();
        continue;
      }
      if (xid < 0) continue; // notification or ping: none are asked for
      if (this.outstanding === 0 || xid !== this.sentXids[this.head]) {
        countError(shared, 'protocol');
        this.socket.destroy();
        return answered;
      }
      const slot = this.head;
      this.head = slot + 1 === this.inFlight ? 0 : slot + 1;
      this.outstanding--;
      answered++;
      if (err !== 0) countError(shared, ErrorCodeName[err] ?? `error${err}`);
      if (measuring) {
        shared.hist.record((now - this.sendTimes[slot]!) * 1000);
        shared.completed++;
        shared.byOp[this.sentOps[slot]!]!++;
      }
    }
    return answered;
  }

  private pickOp(): number {
    const c = this.cumWeights;
    const r = this.random() * c[c.length - 1]!;
    for (let i = 0; i < c.length; i++) if (r < c[i]!) return i;
    return c.length - 1;
  }

  private send(n: number): void {
    if (n <= 0) return;
    const picks: Buffer[] = new Array(n);
    const opsPicked = new Uint8Array(n);
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const op = this.pickOp();
      const list = this.templates[op]!;
      const t = this.opIsKeyed[op] ? list[Math.floor(this.random() * list.length)]! : list[0]!;
      picks[i] = t;
      opsPicked[i] = op;
      bytes += t.length;
    }
    const batch = Buffer.allocUnsafe(bytes);
    const now = performance.now();
    let pos = 0;
    let tail = this.head + this.outstanding;
    if (tail >= this.inFlight) tail -= this.inFlight;
    for (let i = 0; i < n; i++) {
      const t = picks[i]!;
      t.copy(batch, pos);
      const xid = this.xid++;
      if (this.xid > 0x7ffffff0) this.xid = 1;
      batch.writeInt32BE(xid, pos + 4);
      pos += t.length;
      this.sentXids[tail] = xid;
      this.sentOps[tail] = opsPicked[i]!;
      this.sendTimes[tail] = now;
      tail = tail + 1 === this.inFlight ? 0 : tail + 1;
    }
    this.outstanding += n;
    this.socket.write(batch);
  }

  private closeSession(): void {
    if (this.closing) return;
    this.closing = true;
    this.closeXid = this.xid++;
    const w = new JuteWriter(32);
    encodeRequest(w, { xid: this.closeXid, type: OpCode.closeSession });
    this.socket.write(w.toBuffer());
  }
}

/** Runs a load against one server and reports throughput, latency and errors. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const layout: TreeLayout = {
    root: opts.root ?? DEFAULT_LAYOUT.root,
    keys: opts.keys ?? DEFAULT_LAYOUT.keys,
    valueSize: opts.valueSize ?? DEFAULT_LAYOUT.valueSize,
    listChildren: opts.listChildren ?? DEFAULT_LAYOUT.listChildren,
  };
  const host = opts.host ?? '127.0.0.1';
  const ops = OP_NAMES.filter((o) => (opts.mix[o] ?? 0) > 0);
  if (ops.length === 0) throw new Error('runLoad: the op mix is empty');
  if (opts.connections < 1 || opts.inFlight < 1) throw new Error('runLoad: connections and inFlight must be >= 1');
  const templateMap = buildTemplates(layout, ops);
  // Everything per op is indexed like OP_NAMES; ops with no weight have no templates.
  const templates = OP_NAMES.map((o) => templateMap.get(o) ?? []);
  const keyed = OP_NAMES.map((o) => o !== 'create' && o !== 'children');
  const cum = new Float64Array(OP_NAMES.length);
  let acc = 0;
  OP_NAMES.forEach((o, i) => (cum[i] = acc += Math.max(0, opts.mix[o] ?? 0)));
  const shared: Shared = { phase: 0, hist: new Histogram(), completed: 0, byOp: new Float64Array(OP_NAMES.length), errors: new Map() };
  const seed = opts.seed ?? 12345;
  const sessionTimeout = opts.sessionTimeoutMs ?? 30_000;

  const sessions = await Promise.allSettled(
    Array.from({ length: opts.connections }, () => openSession(host, opts.port, sessionTimeout)),
  );
  const opened = sessions.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (opened.length < sessions.length) {
    for (const s of opened) s.socket.destroy();
    const failed = sessions.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    throw new Error(`could not open ${opts.connections} sessions on ${host}:${opts.port}: ${(failed.reason as Error).message}`);
  }
  const fullDecode = opts.decode === 'full';
  const conns = opened.map(({ socket, decoder }, i) =>
    new Connection(socket, decoder, shared, opts.inFlight, templates, cum, keyed, rng(seed + i * 7919), fullDecode, layout.valueSize));

  let measureStart = performance.now();
  let measureEnd = measureStart;
  const timers: NodeJS.Timeout[] = [];
  const finished = new Promise<void>((resolve) => {
    const begin = (): void => {
      shared.phase = 1;
      measureStart = performance.now();
      timers.push(setTimeout(() => {
        shared.phase = 2;
        measureEnd = performance.now();
        for (const c of conns) c.stop();
        resolve();
      }, opts.durationMs));
    };
    if (opts.warmupMs > 0) timers.push(setTimeout(begin, opts.warmupMs));
    else begin();
  });
  conns.forEach((c, i) => c.start(opened[i]!.rest));
  await finished;
  const drain = new Promise<void>((resolve) => timers.push(setTimeout(resolve, opts.drainTimeoutMs ?? 5000)));
  await Promise.race([Promise.all(conns.map((c) => c.done)), drain]);
  for (const t of timers) clearTimeout(t);
  for (const c of conns) c.destroy();

  const measuredMs = measureEnd - measureStart;
  const h = shared.hist;
  const byOp: Partial<Record<OpName, number>> = {};
  OP_NAMES.forEach((o, i) => {
    if (shared.byOp[i]) byOp[o] = shared.byOp[i];
  });
  return {
    opsPerSec: measuredMs > 0 ? (shared.completed * 1000) / measuredMs : 0,
    completed: shared.completed,
    measuredMs,
    latencyMs: {
      p50: h.quantile(0.5) / 1000,
      p99: h.quantile(0.99) / 1000,
      p999: h.quantile(0.999) / 1000,
      max: h.max / 1000,
      mean: h.mean() / 1000,
    },
    errors: Object.fromEntries(shared.errors),
    byOp,
    histogram: h.toSparse(),
    connections: opts.connections,
    inFlight: opts.inFlight,
  };
}

/** True when the op only reads. */
export function isReadOp(op: OpName): boolean {
  return READ_OPS.has(op);
}

/**
 * Creates the tree the ops need (idempotent: existing nodes are fine) over one pipelined
 * session: `<root>`, `<root>/k/n<i>` with `valueSize` bytes, `<root>/l` with `listChildren`
 * children, and `<root>/c` (parent of the ephemeral sequential nodes `create` makes).
 */
/** Bytes that do not compress (a fixed xorshift sequence): disk sizes of compressing backends stay honest. */
export function incompressibleBytes(size: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Creates the tree of `layout` (parents, list children, key nodes) with one pipelined session.
 * `values: 'random'` stores incompressible bytes in every node (each node its own), else 'a's.
 */
export async function populate(host: string, port: number, layout: Partial<TreeLayout> = {}, values: 'fill' | 'random' = 'fill'): Promise<void> {
  const l: TreeLayout = { ...DEFAULT_LAYOUT, ...layout };
  const value = Buffer.alloc(l.valueSize, 0x61);
  const valueOf = (i: number): Uint8Array => (values === 'random' ? incompressibleBytes(l.valueSize, i + 1) : value);
  const paths: Array<[string, Uint8Array | null]> = [
    [l.root, null], [`${l.root}/k`, null], [`${l.root}/l`, null], [`${l.root}/c`, null],
  ];
  for (let i = 0; i < l.listChildren; i++) paths.push([`${l.root}/l/c${i}`, value]);
  for (let i = 0; i < l.keys; i++) paths.push([keyPath(l, i), valueOf(i)]);
  const { socket, decoder, rest } = await openSession(host, port, 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let waiting = 0;
      let xid = 1;
      const ops = new Map<number, number>();
      const window = 256;
      const pump = (): void => {
        const w = new JuteWriter(64 * 1024);
        // Parents first: the first four creates go one at a time.
        while (waiting < (next < 4 ? 1 : window) && next < paths.length) {
          const [path, data] = paths[next++]!;
          ops.set(xid, OpCode.create);
          encodeRequest(w, { xid: xid++, type: OpCode.create }, { path, data, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
          waiting++;
        }
        if (w.length > 0) socket.write(w.toBuffer());
        else if (waiting === 0) resolve();
      };
      const onFrames = (frames: Uint8Array[]): void => {
        for (const f of frames) {
          const r = decodeReply(f, (x) => ops.get(x));
          if (r.header.xid < 0) continue;
          ops.delete(r.header.xid);
          waiting--;
          if (r.header.err !== 0 && r.header.err !== ErrorCode.nodeExists) {
            reject(new Error(`populate: create failed with ${ErrorCodeName[r.header.err] ?? r.header.err}`));
            return;
          }
        }
        pump();
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          onFrames(decoder.push(chunk));
        } catch (e) {
          reject(e as Error);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('populate: connection closed')));
      if (rest.length > 0) onFrames(rest);
      pump();
    });
    const w = new JuteWriter(32);
    encodeRequest(w, { xid: 0x7fff0000, type: OpCode.closeSession });
    socket.write(w.toBuffer());
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      socket.removeAllListeners('close');
      socket.on('close', () => {
        clearTimeout(t);
        resolve();
      });
      socket.removeAllListeners('data');
      socket.on('data', () => socket.end());
    });
  } finally {
    socket.destroy();
  }
}
