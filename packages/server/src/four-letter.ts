// The four-letter words on the client port, shaped like ZooKeeper 3.8's answers so tools that
// parse them (monitoring scripts, kazoo's server_version, zkCli) keep working. Reference
// outputs captured from Apache ZooKeeper are in ../reference/four-letter-words-3.8.0.txt.
import { hostname, userInfo, freemem, totalmem, type as osType, arch, release } from 'node:os';
import type { DataTree } from '@zkts/data-tree';
import type { SessionTracker } from '@zkts/session';
import { sessionIdHex } from '@zkts/session';
import { zxidToHex } from '@zkts/txn-log';
import type { ConnectionInfo } from './zk-server.js';

/** The ZooKeeper release whose client protocol and outputs zkts follows. */
export const ZOOKEEPER_COMPAT_VERSION = '3.8.0';
export const ZKTS_VERSION = '0.1.0';
/** What `srvr`, `stat`, `mntr` and `envi` print as the version (tools parse the leading x.y.z). */
export const VERSION_STRING = `${ZOOKEEPER_COMPAT_VERSION}-zkts-${ZKTS_VERSION}, built on 2026-11-22 00:00 UTC`;

/** What the words need to know about a server. */
export interface ServerView {
  readonly tree: DataTree;
  readonly sessions: SessionTracker;
  readonly lastZxid: number;
  readonly outstandingRequests: number;
  readonly uptimeMs: number;
  readonly isRunning: boolean;
  readonly stats: {
    packetsReceived: number;
    packetsSent: number;
    latencyMin: number;
    latencyMax: number;
    latencySum: number;
    latencyCount: number;
    authFailed: number;
  };
  readonly confText: string;
  connections(): Iterable<ConnectionInfo>;
  resetConnectionStats(): void;
  resetServerStats(): void;
  /** 'standalone', 'leader', 'follower', 'observer', 'read-only' or 'looking' (ZooKeeper's spelling). */
  readonly mode?: string;
  /** False while an ensemble member has no quorum (defaults to isRunning). */
  readonly isServing?: boolean;
  /** Extra mntr rows of an ensemble member (leader: zk_followers, zk_synced_followers, ...). */
  ensembleRows?(): Array<[string, string | number]>;
}

const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';

export class FourLetterWords {
  private traceMask = 306;

  constructor(private readonly server: ServerView) {}

  answer(word: string): string {
    const s = this.server;
    if (word === 'ruok') return 'imok';
    // ZooKeeper: "null" while a peer has no server (looking), "ro" for its read-only server.
    if (word === 'isro') return s.mode === 'looking' ? 'null' : s.mode === 'read-only' ? 'ro' : 'rw';
    if (!(s.isServing ?? s.isRunning) && word !== 'envi' && word !== 'conf') return NOT_SERVING;
    switch (word) {
      case 'srvr':
        return this.srvr(false);
      case 'stat':
        return this.srvr(true);
      case 'mntr':
        return this.mntr();
      case 'conf':
        return s.confText;
      case 'cons':
        return [...s.connections()].map((c) => this.connectionLine(c, true)).join('') + '\n';
      case 'crst':
        s.resetConnectionStats();
        return 'Connection stats reset.\n';
      case 'srst':
        s.resetServerStats();
        return 'Server stats reset.\n';
      case 'envi':
        return this.envi();
      case 'wchs': {
        const w = s.tree.watches.summary();
        return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.watches}\n`;
      }
      case 'wchc':
        return this.watchesBy('connection');
      case 'wchp':
        return this.watchesBy('path');
      case 'dump':
        return this.dump();
      case 'gtmk':
        return `${this.traceMask}\n`;
      case 'stmk':
        return `${this.traceMask}\n`;
      case 'dirs':
        return 'datadir_size: 0\nlogdir_size: 0\n';
      case 'hash':
        return `${zxidToHex(s.lastZxid)}: ${s.tree.digest().toString()}\n`;
      default:
        return `Unknown command ${word}\n`;
    }
  }

  private latency(): string {
    const st = this.server.stats;
    if (st.latencyCount === 0) return '0/0.0/0';
    return `${st.latencyMin}/${(st.latencySum / st.latencyCount).toFixed(1)}/${st.latencyMax}`;
  }

  private connectionLine(c: ConnectionInfo, detailed: boolean): string {
    const head = ` /${c.remoteAddress}:${c.remotePort}[${c.sessionId === null ? 0 : 1}](queued=${c.queued},recved=${c.received},sent=${c.sent}`;
    if (!detailed || c.sessionId === null) return `${head})\n`;
    return (
      `${head},sid=${sessionIdHex(c.sessionId)},lop=${c.lastOp},est=${c.establishedAt},to=${c.timeoutMs}` +
      `,lcxid=0x${(c.lastCxid >>> 0).toString(16)},lzxid=${c.lastZxid < 0 ? '0xffffffffffffffff' : zxidToHex(c.lastZxid)}` +
      `,lresp=${c.establishedAt},llat=0,minlat=${c.latencyMin},avglat=${Math.round(c.latencyAvg)},maxlat=${c.latencyMax})\n`
    );
  }

  private srvr(withClients: boolean): string {
    const s = this.server;
    const st = s.stats;
    const conns = [...s.connections()];
    const lines = [`Zookeeper version: ${VERSION_STRING}`];
    if (withClients) {
      lines.push('Clients:');
      for (const c of conns) lines.push(this.connectionLine(c, false).replace(/\n$/, ''));
      lines.push('');
    }
    lines.push(
      `Latency min/avg/max: ${this.latency()}`,
      `Received: ${st.packetsReceived}`,
      `Sent: ${st.packetsSent}`,
      `Connections: ${conns.length}`,
      `Outstanding: ${s.outstandingRequests}`,
      `Zxid: ${zxidToHex(s.lastZxid)}`,
      `Mode: ${s.mode ?? 'standalone'}`,
      `Node count: ${s.tree.nodeCount}`,
    );
    // ZooKeeper's StatCommand adds the proposal sizes on a leader.
    if (s.mode === 'leader') lines.push('Proposal sizes last/min/max: -1/-1/-1');
    return lines.join('\n') + '\n';
  }

  private mntr(): string {
    const s = this.server;
    const st = s.stats;
    const w = s.tree.watches.summary();
    const avg = st.latencyCount ? st.latencySum / st.latencyCount : 0;
    const rows: Array<[string, string | number]> = [
      ['zk_version', VERSION_STRING],
      ['zk_server_state', s.mode ?? 'standalone'],
      ['zk_ephemerals_count', s.tree.ephemeralsCount],
      ['zk_num_alive_connections', [...s.connections()].length],
      ['zk_avg_latency', avg.toFixed(1)],
      ['zk_outstanding_requests', s.outstandingRequests],
      ['zk_znode_count', s.tree.nodeCount],
      ['zk_global_sessions', s.sessions.size],
      ['zk_local_sessions', 0],
      ['zk_watch_count', w.watches],
      ['zk_auth_failed_count', st.authFailed],
      ['zk_min_latency', st.latencyCount ? st.latencyMin : 0],
      ['zk_max_latency', st.latencyMax],
      ['zk_packets_sent', st.packetsSent],
      ['zk_packets_received', st.packetsReceived],
      ['zk_uptime', s.uptimeMs],
      // zk_last_proposal_size and the other proposal metrics exist only on a leader.
      ...((s.mode === 'leader' ? [['zk_last_proposal_size', -1]] : []) as Array<[string, number]>),
      ...(s.ensembleRows?.() ?? []),
    ];
    return rows.map(([k, v]) => `${k}\t${v}\n`).join('');
  }

  private envi(): string {
    let user = 'unknown';
    let home = 'unknown';
    try {
      const u = userInfo();
      user = u.username;
      home = u.homedir;
    } catch {
      // no passwd entry for this uid: keep the placeholders
    }
    const mb = (n: number): string => `${Math.round(n / 1024 / 1024)}MB`;
    const mem = process.memoryUsage();
    return (
      [
        'Environment:',
        `zookeeper.version=${VERSION_STRING}`,
        `host.name=${hostname()}`,
        `node.version=${process.version}`,
        `os.name=${osType()}`,
        `os.arch=${arch()}`,
        `os.version=${release()}`,
        `user.name=${user}`,
        `user.home=${home}`,
        `user.dir=${process.cwd()}`,
        `os.memory.free=${mb(freemem())}`,
        `os.memory.max=${mb(totalmem())}`,
        `os.memory.total=${mb(mem.rss)}`,
      ].join('\n') + '\n'
    );
  }

  /** wchc (by connection's session) and wchp (by path), as ZooKeeper prints them. */
  private watchesBy(kind: 'connection' | 'path'): string {
    const s = this.server;
    const ids = new Map<number, string>();
    for (const c of s.connections()) if (c.sessionId !== null) ids.set(c.connectionId, sessionIdHex(c.sessionId));
    const name = (watcher: number): string => ids.get(watcher) ?? `0x${watcher.toString(16)}`;
    const out: string[] = [];
    if (kind === 'connection') {
      for (const [watcher, paths] of s.tree.watches.byWatcher()) out.push(name(watcher), ...paths.map((p) => `\t${p}`));
    } else {
      for (const [path, watchers] of s.tree.watches.byPath()) out.push(path, ...watchers.map((w) => `\t${name(w)}`));
    }
    return out.length ? out.join('\n') + '\n\n' : '\n';
  }

  private dump(): string {
    const s = this.server;
    const buckets = s.sessions.expiryBuckets();
    const lines = ['SessionTracker dump:', `Session Sets (${buckets.length})/(${s.sessions.size}):`];
    for (const b of buckets) {
      lines.push(`${b.ids.length} expire at ${javaDate(b.expiresAtMs)}:`);
      for (const id of b.ids) lines.push(`\t${sessionIdHex(id)}`);
    }
    const owners = s.tree.sessionsWithEphemerals();
    lines.push('ephemeral nodes dump:', `Sessions with Ephemerals (${owners.length}):`);
    for (const owner of owners) {
      lines.push(`${sessionIdHex(owner)}:`);
      for (const p of s.tree.getEphemerals(owner, '/')) lines.push(`\t${p}`);
    }
    // Connections grouped by when they expire, like ZooKeeper's connection expiry queue
    // (a connection without a session expires with its establishment here).
    const sets = new Map<number, ConnectionInfo[]>();
    let count = 0;
    for (const c of s.connections()) {
      const at = Math.ceil((c.establishedAt + c.timeoutMs) / 1000) * 1000;
      sets.set(at, [...(sets.get(at) ?? []), c]);
      count++;
    }
    lines.push('Connections dump:', `Connections Sets (${sets.size})/(${count}):`);
    for (const [at, conns] of [...sets].sort((a, b) => a[0] - b[0])) {
      lines.push(`${conns.length} expire at ${javaDate(at)}:`);
      for (const c of conns) lines.push(`\tip: /${c.remoteAddress}:${c.remotePort} sessionId: ${c.sessionId === null ? '0x0' : sessionIdHex(c.sessionId)}`);
    }
    return lines.join('\n') + '\n';
  }
}

/** java.util.Date#toString in UTC ("Sun Nov 22 05:00:36 UTC 2026"), as ZooKeeper's dump prints dates. */
function javaDate(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${month} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
