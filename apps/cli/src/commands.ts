// zkCli's commands (org.apache.zookeeper.cli.*) over the TypeScript client: the same options,
// usage strings, checks in the same order, the same text on the same stream, the same exit codes.
import { type ACL, OPEN_ACL_UNSAFE, type Stat, validatePath } from '@zkts/protocol';
import { NoNodeError, NodeExistsError, type WatchedEvent, ZooKeeperClient, ZooKeeperError } from '@zkts/client';
import { aclLines, javaDateString, javaHex, javaList, keeperMessage, permString, StatsTrack, statLines } from './format.js';
import { type CommandSpec, javaParseInt, javaParseLong, type OptionSpec, parseOptions, type ParsedOptions } from './parse.js';

/** A command failure: its message goes to stderr, its exit code becomes the shell's. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export type CommandResult = Record<string, unknown>;

/** Where a command prints; `result` is its machine-readable answer for --json. */
export interface CommandContext {
  out(line: string): void;
  write(text: string): void;
  err(line: string): void;
  result: CommandResult | undefined;
}

/** A stream of watch events (the client's rxjs Observables fit). */
export interface EventStream {
  subscribe(observer: { next(e: WatchedEvent): void; error(err: unknown): void }): unknown;
}

/** What commands need from the shell. */
export interface ShellApi {
  zk(path?: string): Promise<ZooKeeperClient>;
  watch(kind: 'data' | 'exist' | 'child' | 'persistent', path: string, events: EventStream): void;
  close(): Promise<void>;
  readonly currentHost: string;
}

interface Command {
  readonly name: string;
  /** The option string of zkCli's usage line ("[-s] [-w] path"). */
  readonly options: string;
  run(ctx: CommandContext, words: string[], shell: ShellApi): Promise<void>;
}

export const ZKTS_CLI_VERSION = '0.1.0';
const CONFIG_NODE = '/zookeeper/config';
const QUOTA_ROOT = '/zookeeper';
const QUOTA_ZOOKEEPER = '/zookeeper/quota';
const LIMIT_NODE = 'zookeeper_limits';
const STAT_NODE = 'zookeeper_stats';
/** EphemeralType.TTL's largest ttl (40 bits), in ZooKeeper's message. */
const TTL_MAX = 0xff_ffff_ffffn;
const DELETEALL_BATCH_DEFAULT = 1000;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

const flag = (name: string, description = ''): OptionSpec => ({ name, hasArg: false, description });
const valued = (name: string, description = ''): OptionSpec => ({ name, hasArg: true, description });

function usageOf(c: { name: string; options: string }): string {
  return `${c.name} ${c.options}`;
}

function parse(spec: CommandSpec, words: string[]): ParsedOptions {
  try {
    return parseOptions(spec, words);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Integer.parseInt of an option value; zkCli dies with NumberFormatException, zkts-cli reports it. */
function intOption(o: ParsedOptions, name: string, fallback: number): number {
  const text = o.value(name);
  if (!o.has(name) || text === undefined) return fallback;
  const v = javaParseInt(text);
  if (v === undefined) throw new CliError(`java.lang.NumberFormatException: For input string: "${text}"`);
  return v;
}

/** The old "cmd path extra" forms zkCli still accepts: a third word turns on the watch flag. */
function retainCompatibility(ctx: CommandContext, spec: CommandSpec, words: string[], o: ParsedOptions, name: string, hint: string, setWatch: boolean): ParsedOptions {
  if (o.args.length <= 2) return o;
  const again = [...words];
  if (setWatch) again[2] = '-w';
  ctx.err(`'${name}' has been deprecated. Please use '${hint}' instead.`);
  return parse(spec, again);
}

function statJson(stat: Stat): Record<string, unknown> {
  return {
    czxid: stat.czxid, mzxid: stat.mzxid, pzxid: stat.pzxid, ctime: stat.ctime, mtime: stat.mtime,
    version: stat.version, cversion: stat.cversion, aversion: stat.aversion,
    ephemeralOwner: `0x${javaHex(stat.ephemeralOwner)}`, dataLength: stat.dataLength, numChildren: stat.numChildren,
  };
}

function printStat(ctx: CommandContext, stat: Stat): void {
  for (const l of statLines(stat)) ctx.out(l);
}

function text(data: Uint8Array | null): string {
  return data === null ? 'null' : decoder.decode(data);
}

/** Java's String.split(regex) for a one-character separator: trailing empty strings dropped. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  if (s === '') return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** AclParser.parse: "scheme:id:perms,..."; malformed entries and unknown letters are reported and skipped. */
export function parseAcl(ctx: CommandContext, text: string): ACL[] {
  const acl: ACL[] = [];
  for (const a of javaSplit(text, ',')) {
    const first = a.indexOf(':');
    const last = a.lastIndexOf(':');
    if (first === -1 || last === -1 || first === last) {
      ctx.err(`${a} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const c of a.slice(last + 1)) {
      const bit = ({ r: 1, w: 2, c: 4, d: 8, a: 16 } as Record<string, number>)[c];
      if (bit === undefined) ctx.err(`Unknown perm type: ${c}`);
      else perms |= bit;
    }
    acl.push({ perms, id: { scheme: a.slice(0, first), id: a.slice(first + 1, last) } });
  }
  return acl;
}

/** ZooKeeper.validateACL (client side, before the request): an empty list is InvalidACL without a path. */
function checkAcl(acl: readonly ACL[]): void {
  if (acl.length === 0) throw new ZooKeeperError(-114);
}

/** ZKUtil.visitSubTreeDFS: the root (after a getData), then each level's children sorted, depth first. */
async function visitSubTree(zk: ZooKeeperClient, shell: ShellApi, path: string, watch: boolean, visit: (p: string) => Promise<void> | void): Promise<void> {
  validatePath(path);
  if (watch) {
    const r = await zk.getData(path, { watch: true });
    shell.watch('data', path, r.watch);
  } else {
    await zk.getData(path);
  }
  await visit(path);
  const helper = async (p: string): Promise<void> => {
    let children: string[];
    try {
      if (watch) {
        const r = await zk.getChildren(p, { watch: true });
        shell.watch('child', p, r.watch);
        children = r.children;
      } else {
        children = await zk.getChildren(p);
      }
    } catch (e) {
      if (e instanceof NoNodeError) return; // removed while visiting
      throw e;
    }
    children.sort();
    const prefix = p === '/' ? '/' : `${p}/`;
    for (const c of children) await visit(prefix + c);
    for (const c of children) await helper(prefix + c);
  };
  await helper(path);
}

// ---- quotas (SetQuotaCommand, ListQuotaCommand, DelQuotaCommand) ------------------------------

const quotaPath = (path: string): string => QUOTA_ZOOKEEPER + path;
const limitPath = (path: string): string => `${QUOTA_ZOOKEEPER}${path}/${LIMIT_NODE}`;
const statPath = (path: string): string => `${QUOTA_ZOOKEEPER}${path}/${STAT_NODE}`;
const trimQuotaPath = (p: string): string => p.slice(QUOTA_ZOOKEEPER.length);

/** A bad quota argument zkCli reports as a MalformedPathException (exit 1). */
class QuotaArgumentError extends Error {}

async function createIfMissing(zk: ZooKeeperClient, path: string, data: string | null): Promise<void> {
  try {
    await zk.create(path, data === null ? null : encoder.encode(data));
  } catch (e) {
    if (!(e instanceof NodeExistsError)) throw e;
  }
}

async function checkIfChildQuota(zk: ZooKeeperClient, shell: ShellApi, path: string): Promise<void> {
  const real = quotaPath(path);
  try {
    await visitSubTree(zk, shell, real, false, async (qp) => {
      let children: string[];
      try {
        children = await zk.getChildren(qp);
      } catch (e) {
        if (e instanceof NoNodeError) return;
        throw e;
      }
      for (const child of children) {
        if (qp !== QUOTA_ZOOKEEPER + path && child === LIMIT_NODE) {
          throw new QuotaArgumentError(`${path} has a child ${trimQuotaPath(qp)} which has a quota`);
        }
      }
    });
  } catch (e) {
    if (!(e instanceof NoNodeError)) throw e;
  }
}

async function checkIfParentQuota(zk: ZooKeeperClient, path: string): Promise<void> {
  const splits = javaSplit(path, '/');
  let qp = QUOTA_ZOOKEEPER;
  for (let i = 1; i < splits.length - 1; i++) {
    qp += `/${splits[i]}`;
    let children: string[];
    try {
      children = await zk.getChildren(qp);
    } catch (e) {
      if (e instanceof NoNodeError) return;
      throw e;
    }
    if (children.length === 0) return;
    for (const child of children) {
      if (qp !== quotaPath(path) && child === LIMIT_NODE) {
        throw new QuotaArgumentError(`${path} has a parent ${trimQuotaPath(qp)} which has a quota`);
      }
    }
  }
}

function checkQuota(ctx: CommandContext, quota: StatsTrack, stats: StatsTrack): void {
  if ((quota.count > -1n && quota.count < stats.count) || (quota.countHardLimit > -1n && quota.countHardLimit < stats.count)) {
    ctx.out(`[Warning]: the count quota you create is less than the existing count:${stats.count}`);
  }
  if ((quota.bytes > -1n && quota.bytes < stats.bytes) || (quota.byteHardLimit > -1n && quota.byteHardLimit < stats.bytes)) {
    ctx.out(`[Warning]: the bytes quota you create is less than the existing bytes:${stats.bytes}`);
  }
}

async function readTrack(zk: ZooKeeperClient, path: string): Promise<StatsTrack> {
  return new StatsTrack(text((await zk.getData(path)).data));
}

async function createQuota(ctx: CommandContext, zk: ZooKeeperClient, shell: ShellApi, path: string, quota: StatsTrack): Promise<void> {
  if ((await zk.exists(path)) === null) throw new QuotaArgumentError(`${path} does not exist.`);
  await checkIfChildQuota(zk, shell, path);
  await checkIfParentQuota(zk, path);
  if ((await zk.exists(QUOTA_ZOOKEEPER)) === null) {
    try {
      await zk.create(QUOTA_ROOT, null);
      await zk.create(QUOTA_ZOOKEEPER, null);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }
  const splits = javaSplit(path, '/');
  let qp = QUOTA_ZOOKEEPER;
  for (let i = 1; i < splits.length; i++) {
    qp += `/${splits[i]}`;
    if ((await zk.exists(qp)) === null) await createIfMissing(zk, qp, null);
  }
  const sp = `${qp}/${STAT_NODE}`;
  const lp = `${qp}/${LIMIT_NODE}`;
  if ((await zk.exists(lp)) === null) {
    await zk.create(lp, quota.toString());
    const stats = new StatsTrack();
    stats.count = 0n;
    stats.bytes = 0n;
    await zk.create(sp, stats.toString());
    checkQuota(ctx, await readTrack(zk, lp), await readTrack(zk, sp));
  } else {
    const limits = await readTrack(zk, lp);
    if (quota.count > -1n) limits.count = quota.count;
    if (quota.bytes > -1n) limits.bytes = quota.bytes;
    if (quota.countHardLimit > -1n) limits.countHardLimit = quota.countHardLimit;
    if (quota.byteHardLimit > -1n) limits.byteHardLimit = quota.byteHardLimit;
    checkQuota(ctx, limits, await readTrack(zk, sp));
    await zk.setData(lp, limits.toString(), -1);
  }
}

async function trimProcQuotas(zk: ZooKeeperClient, path: string): Promise<void> {
  if (path === QUOTA_ZOOKEEPER) return;
  const children = await zk.getChildren(path);
  if (children.length === 0) {
    await zk.delete(path, -1);
    await trimProcQuotas(zk, path.slice(0, path.lastIndexOf('/')));
  }
}

/** Maps a QuotaArgumentError (Java's IllegalArgumentException) to its printed message. */
async function quotaErrors(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof QuotaArgumentError) throw new CliError(e.message);
    throw e;
  }
}

/** ConfigUtils.getClientConfigStr: "<version> host:port,host:port" from the dynamic config. */
export function clientConfigString(config: string): string {
  let version = '';
  const servers: [number, string][] = [];
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    const eq = line.indexOf('=');
    if (line === '' || line.startsWith('#') || eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'version') version = value;
    if (!key.startsWith('server.')) continue;
    const semi = value.indexOf(';');
    if (semi < 0) {
      servers.push([Number(key.slice(7)), '']);
      continue;
    }
    const client = value.slice(semi + 1);
    servers.push([Number(key.slice(7)), client.includes(':') ? client : `0.0.0.0:${client}`]);
  }
  servers.sort((a, b) => a[0] - b[0]);
  return `${version} ${servers.map((s) => s[1]).join(',')}`;
}

// ---- the commands -----------------------------------------------------------------------------

const LS_SPEC: CommandSpec = { options: [flag('?', 'help'), flag('s', 'stat'), flag('w', 'watch'), flag('R', 'recurse')] };
const GET_SPEC: CommandSpec = { options: [flag('s', 'stats'), flag('w', 'watch')] };
const STAT_SPEC: CommandSpec = { options: [flag('w', 'watch')] };
const SET_SPEC: CommandSpec = { options: [flag('s', 'stats'), valued('v', 'version')] };
const CREATE_SPEC: CommandSpec = { options: [flag('e', 'ephemeral'), flag('s', 'sequential'), flag('c', 'container'), valued('t', 'ttl')] };
const DELETE_SPEC: CommandSpec = { options: [valued('v', 'version')] };
const DELETEALL_SPEC: CommandSpec = { options: [valued('b', 'batch size')] };
const GETACL_SPEC: CommandSpec = { options: [flag('s', 'stats')] };
const SETACL_SPEC: CommandSpec = { options: [flag('s', 'stats'), valued('v', 'version'), flag('R', 'recursive')] };
const NO_OPTIONS: CommandSpec = { options: [] };
const ADDWATCH_SPEC: CommandSpec = { options: [valued('m')] };
const REMOVEWATCHES_SPEC: CommandSpec = {
  options: [flag('c', 'child watcher type'), flag('d', 'data watcher type'), flag('a', 'any watcher type'), flag('l', 'remove locally when there is no server connection')],
};
const CONFIG_SPEC: CommandSpec = { options: [flag('s', 'stats'), flag('w', 'watch'), flag('c', 'client connection string')] };
const QUOTA_OPTIONS = [['n', 'num soft quota'], ['b', 'bytes soft quota'], ['N', 'num hard quota'], ['B', 'bytes hard quota']] as const;
const SETQUOTA_SPEC: CommandSpec = { options: QUOTA_OPTIONS.map(([n, d]) => valued(n, d)), group: { names: ['n', 'b', 'N', 'B'], required: true } };
const DELQUOTA_SPEC: CommandSpec = { options: QUOTA_OPTIONS.map(([n, d]) => flag(n, d)), group: { names: ['n', 'b', 'N', 'B'], required: false } };

const LS_HELP = ['usage: ls [options] path', ' -?   help', ' -R   recurse', ' -s   stat', ' -w   watch'];
const ADDWATCH_MODES = { PERSISTENT: false, PERSISTENT_RECURSIVE: true } as const;

const list: Command[] = [
  {
    name: 'ls', options: '[-s] [-w] [-R] path',
    async run(ctx, words, shell) {
      let o = parse(LS_SPEC, words);
      if (o.has('?')) for (const l of LS_HELP) ctx.out(l);
      o = retainCompatibility(ctx, LS_SPEC, words, o, 'ls path [watch]', 'ls [-w] path', true);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      const watch = o.has('w');
      const zk = await shell.zk(path);
      if (o.has('R')) {
        const paths: string[] = [];
        await visitSubTree(zk, shell, path, watch, (p) => {
          paths.push(p);
          ctx.out(p);
        });
        ctx.result = { paths };
        return;
      }
      let children: string[];
      let stat: Stat | undefined;
      if (o.has('s')) {
        if (watch) {
          const r = await zk.getChildren2(path, { watch: true });
          shell.watch('child', path, r.watch);
          ({ children, stat } = r);
        } else {
          ({ children, stat } = await zk.getChildren2(path));
        }
      } else if (watch) {
        const r = await zk.getChildren(path, { watch: true });
        shell.watch('child', path, r.watch);
        children = r.children;
      } else {
        children = await zk.getChildren(path);
      }
      children.sort();
      ctx.out(javaList(children));
      if (stat) printStat(ctx, stat);
      ctx.result = { children, ...(stat ? { stat: statJson(stat) } : {}) };
    },
  },
  {
    name: 'get', options: '[-s] [-w] path',
    async run(ctx, words, shell) {
      let o = parse(GET_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      o = retainCompatibility(ctx, GET_SPEC, words, o, 'get path [watch]', 'get [-s] [-w] path', true);
      const path = o.args[1]!;
      const zk = await shell.zk(path);
      let r: { data: Uint8Array | null; stat: Stat };
      if (o.has('w')) {
        const w = await zk.getData(path, { watch: true });
        shell.watch('data', path, w.watch);
        r = w;
      } else {
        r = await zk.getData(path);
      }
      ctx.out(text(r.data));
      if (o.has('s')) printStat(ctx, r.stat);
      ctx.result = { data: r.data === null ? null : decoder.decode(r.data), stat: statJson(r.stat) };
    },
  },
  {
    name: 'stat', options: '[-w] path',
    async run(ctx, words, shell) {
      let o = parse(STAT_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      o = retainCompatibility(ctx, STAT_SPEC, words, o, 'stat path [watch]', 'stat [-w] path', true);
      const path = o.args[1]!;
      const zk = await shell.zk(path);
      let stat: Stat | null;
      if (o.has('w')) {
        const r = await zk.exists(path, { watch: true });
        shell.watch(r.stat ? 'data' : 'exist', path, r.watch);
        stat = r.stat;
      } else {
        stat = await zk.exists(path);
      }
      if (stat === null) throw new NoNodeError(path);
      printStat(ctx, stat);
      ctx.result = { stat: statJson(stat) };
    },
  },
  {
    name: 'set', options: '[-s] [-v version] path data',
    async run(ctx, words, shell) {
      const o = parse(SET_SPEC, words);
      if (o.args.length < 3) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      const version = intOption(o, 'v', -1);
      const stat = await (await shell.zk(path)).setData(path, encoder.encode(o.args[2]!), version);
      if (o.has('s')) printStat(ctx, stat);
      ctx.result = { stat: statJson(stat) };
    },
  },
  {
    name: 'create', options: '[-s] [-e] [-c] [-t ttl] path [data] [acl]',
    async run(ctx, words, shell) {
      const o = parse(CREATE_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const [e, s, c, t] = [o.has('e'), o.has('s'), o.has('c'), o.has('t')];
      if (c && (e || s)) throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
      const ttl = t ? javaParseLong(o.value('t')) : 0n;
      if (ttl === undefined) throw new CliError('-t argument must be a long value');
      if (t && e) throw new CliError('TTLs cannot be used with Ephemeral znodes');
      if (t && c) throw new CliError('TTLs cannot be used with Container znodes');
      const mode = e && s ? 'ephemeralSequential' : e ? 'ephemeral' : s ? (t ? 'persistentSequentialWithTtl' : 'persistentSequential')
        : c ? 'container' : t ? 'persistentWithTtl' : 'persistent';
      if (t && (ttl > TTL_MAX || ttl <= 0n)) throw new CliError(`ttl must be positive and cannot be larger than: ${TTL_MAX}`);
      const path = o.args[1]!;
      const data = o.args.length > 2 ? encoder.encode(o.args[2]!) : null;
      const acl = o.args.length > 3 ? parseAcl(ctx, o.args[3]!) : OPEN_ACL_UNSAFE;
      const zk = await shell.zk(path);
      let created: string;
      try {
        validatePath(path, mode.includes('equential'));
        checkAcl(acl);
        created = await zk.create(path, data, { mode, acl, ...(t ? { ttl: Number(ttl) } : {}) });
      } catch (err) {
        if (err instanceof ZooKeeperError && err.code === -120) ctx.err('Unable to create ephemeral node on a local session');
        if (err instanceof ZooKeeperError && err.code === -114) ctx.err(keeperMessage(err.code, err.path));
        throw err;
      }
      ctx.err(`Created ${created}`);
      ctx.result = { path: created };
    },
  },
  {
    name: 'delete', options: '[-v version] path',
    async run(ctx, words, shell) {
      let o = parse(DELETE_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      o = retainCompatibility(ctx, DELETE_SPEC, words, o, 'delete path [version]', 'delete [-v version] path', false);
      const path = o.args[1]!;
      const version = intOption(o, 'v', -1);
      await (await shell.zk(path)).delete(path, version);
      ctx.result = {};
    },
  },
  {
    name: 'deleteall', options: 'path [-b batch size]',
    async run(ctx, words, shell) {
      const o = parse(DELETEALL_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      let batch = DELETEALL_BATCH_DEFAULT;
      if (o.has('b')) {
        const v = javaParseInt(o.value('b'));
        if (v === undefined) throw new CliError('-b argument must be an int value');
        batch = v;
      }
      const path = o.args[1]!;
      validatePath(path);
      const zk = await shell.zk(path);
      // ZKUtil.listSubTreeBFS, then multi deletes from the leaves up, `batch` ops per multi
      const tree = [path];
      for (let i = 0; i < tree.length; i++) {
        const node = tree[i]!;
        for (const child of await zk.getChildren(node)) tree.push(`${node === '/' ? '' : node}/${child}`);
      }
      let ok = true;
      let ops: string[] = [];
      for (let i = tree.length - 1; i >= 0; i--) {
        ops.push(tree[i]!);
        if (ops.length === batch || i === 0) {
          try {
            await zk.multi(ops.map((p) => ({ type: 'delete' as const, path: p, version: -1 })));
          } catch (e) {
            if (!(e instanceof ZooKeeperError)) throw e;
            ok = false;
            break;
          }
          ops = [];
        }
      }
      if (!ok) ctx.err('Failed to delete some node(s) in the subtree!');
      ctx.result = { deleted: ok };
    },
  },
  {
    name: 'getAcl', options: '[-s] path',
    async run(ctx, words, shell) {
      const o = parse(GETACL_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      const { acl, stat } = await (await shell.zk(path)).getACL(path);
      for (const l of aclLines(acl)) ctx.out(l);
      if (o.has('s')) printStat(ctx, stat);
      ctx.result = { acl: acl.map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: permString(a.perms) })), stat: statJson(stat) };
    },
  },
  {
    name: 'setAcl', options: '[-s] [-v version] [-R] path acl',
    async run(ctx, words, shell) {
      const o = parse(SETACL_SPEC, words);
      if (o.args.length < 3) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      const acl = parseAcl(ctx, o.args[2]!);
      const version = intOption(o, 'v', -1);
      const zk = await shell.zk(path);
      if (o.has('R')) {
        const failed: string[] = [];
        await visitSubTree(zk, shell, path, false, async (p) => {
          try {
            await zk.setACL(p, acl, version); // an empty list: InvalidACL from the client, as Java's validateACL
          } catch (e) {
            if (!(e instanceof ZooKeeperError)) throw e;
            failed.push(p);
            ctx.write(keeperMessage(e.code, e.path)); // zkCli prints these without a newline
          }
        });
        ctx.result = { failed };
        return;
      }
      const stat = await zk.setACL(path, acl, version); // checks the path, then the ACL (empty: InvalidACL), as Java
      if (o.has('s')) printStat(ctx, stat);
      ctx.result = { stat: statJson(stat) };
    },
  },
  {
    name: 'sync', options: 'path',
    async run(ctx, words, shell) {
      const o = parse(NO_OPTIONS, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      validatePath(path);
      let rc = 0;
      try {
        await (await shell.zk(path)).sync(path);
      } catch (e) {
        if (!(e instanceof ZooKeeperError)) throw e;
        rc = e.code;
      }
      ctx.out(rc === 0 ? 'Sync is OK' : `Sync has failed. rc=${rc}`);
      ctx.result = { rc };
    },
  },
  {
    name: 'addauth', options: 'scheme auth',
    async run(ctx, words, shell) {
      const o = parse(NO_OPTIONS, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const zk = await shell.zk();
      // zkCli does not wait; zkts-cli waits for the answer so that the next command sees the
      // outcome (a refused scheme ends the session: the AuthFailed event, then "Not connected")
      await zk.addAuth(o.args[1]!, o.args.length >= 3 ? o.args[2]! : '').catch(() => undefined);
      ctx.result = {};
    },
  },
  {
    name: 'whoami', options: '',
    async run(ctx, _words, shell) {
      const infos = await (await shell.zk()).whoAmI();
      ctx.out('Auth scheme: User');
      for (const i of infos) ctx.out(`${i.authScheme}: ${i.user}`);
      ctx.result = { clientInfo: infos.map((i) => ({ scheme: i.authScheme, user: i.user })) };
    },
  },
  {
    name: 'getEphemerals', options: 'path',
    async run(ctx, words, shell) {
      const o = parse(NO_OPTIONS, words);
      const path = o.args.length < 2 ? '/' : o.args[1]!;
      const paths = await (await shell.zk(path)).getEphemerals(path);
      ctx.out(javaList(paths));
      ctx.result = { paths };
    },
  },
  {
    name: 'getAllChildrenNumber', options: 'path',
    async run(ctx, words, shell) {
      const o = parse(NO_OPTIONS, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      const count = await (await shell.zk(path)).getAllChildrenNumber(path);
      ctx.out(String(count));
      ctx.result = { count };
    },
  },
  {
    name: 'addWatch', options: '[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
    async run(ctx, words, shell) {
      const o = parse(ADDWATCH_SPEC, words);
      if (o.args.length !== 2) throw new CliError(usageOf(this));
      let recursive = true;
      if (o.has('m')) {
        const mode = (o.value('m') ?? '').toUpperCase();
        if (!(mode in ADDWATCH_MODES)) throw new CliError(usageOf(this));
        recursive = ADDWATCH_MODES[mode as keyof typeof ADDWATCH_MODES];
      }
      const path = o.args[1]!;
      const events = await (await shell.zk(path)).addWatch(path, { recursive });
      shell.watch('persistent', path, events);
      ctx.result = { mode: recursive ? 'PERSISTENT_RECURSIVE' : 'PERSISTENT' };
    },
  },
  {
    name: 'removewatches', options: 'path [-c|-d|-a] [-l]',
    async run(ctx, words, shell) {
      const o = parse(REMOVEWATCHES_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const type = o.has('c') ? 'children' : o.has('d') ? 'data' : 'any';
      const path = o.args[1]!;
      // the removed watches' streams deliver their *WatchRemoved events (printed by the shell)
      await (await shell.zk(path)).removeWatches(path, type, { local: o.has('l') });
      ctx.result = { type };
    },
  },
  {
    name: 'config', options: '[-c] [-w] [-s]',
    async run(ctx, words, shell) {
      const o = parse(CONFIG_SPEC, words);
      const zk = await shell.zk(CONFIG_NODE);
      let r: { data: Uint8Array | null; stat: Stat };
      if (o.has('w')) {
        const w = await zk.getConfig({ watch: true });
        shell.watch('data', CONFIG_NODE, w.watch);
        r = w;
      } else {
        r = await zk.getConfig();
      }
      const data = text(r.data);
      ctx.out(o.has('c') ? clientConfigString(data) : data);
      if (o.has('s')) printStat(ctx, r.stat);
      ctx.result = { data: r.data === null ? null : data, stat: statJson(r.stat) };
    },
  },
  {
    name: 'setquota', options: '-n|-b|-N|-B val path',
    async run(ctx, words, shell) {
      const o = parse(SETQUOTA_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      if (path.startsWith(QUOTA_ZOOKEEPER)) {
        ctx.err(`cannot set a quota under the path: ${QUOTA_ZOOKEEPER}`);
        return;
      }
      const quota = new StatsTrack();
      quota.count = -1n;
      quota.bytes = -1n;
      quota.countHardLimit = -1n;
      quota.byteHardLimit = -1n;
      const checks: [string, 'count' | 'bytes' | 'countHardLimit' | 'byteHardLimit', boolean][] = [
        ['n', 'count', true], ['b', 'bytes', false], ['N', 'countHardLimit', true], ['B', 'byteHardLimit', false],
      ];
      for (const [name, field, isCount] of checks) {
        if (!o.has(name)) continue;
        const v = isCount ? javaParseInt(o.value(name)) : javaParseLong(o.value(name));
        if (v === undefined) {
          ctx.err('NumberFormatException happens when parsing the option value');
          return;
        }
        const n = BigInt(v);
        if (isCount ? n <= 0n : n < 0n) {
          ctx.err(isCount ? 'the num quota must be greater than zero' : 'the bytes quota must be greater than or equal to zero');
          return;
        }
        quota[field] = n;
      }
      const zk = await shell.zk(path);
      await quotaErrors(async () => {
        validatePath(path);
        await createQuota(ctx, zk, shell, path, quota);
      });
      ctx.result = { quota: quota.toJSON() };
    },
  },
  {
    name: 'listquota', options: 'path',
    async run(ctx, words, shell) {
      const o = parse(NO_OPTIONS, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      ctx.err(`absolute path is ${limitPath(path)}`);
      const zk = await shell.zk(path);
      try {
        const quota = await readTrack(zk, limitPath(path));
        const stats = await readTrack(zk, statPath(path));
        ctx.out(`Output quota for ${path} ${quota.toString()}`);
        ctx.out(`Output stat for ${path} ${stats.toString()}`);
        ctx.result = { quota: quota.toJSON(), stat: stats.toJSON() };
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        ctx.err(`quota for ${path} does not exist.`);
        ctx.result = { quota: null };
      }
    },
  },
  {
    name: 'delquota', options: '[-n|-b|-N|-B] path',
    async run(ctx, words, shell) {
      const o = parse(DELQUOTA_SPEC, words);
      if (o.args.length < 2) throw new CliError(usageOf(this));
      const path = o.args[1]!;
      const flags = ['n', 'b', 'N', 'B'].filter((f) => o.has(f));
      const zk = await shell.zk(path);
      try {
        if ((await zk.exists(limitPath(path))) === null) {
          ctx.out(`Quota does not exist for ${path}`);
          ctx.result = { deleted: false };
          return;
        }
        const limits = await readTrack(zk, limitPath(path));
        if (flags.length === 0) {
          const parent = quotaPath(path);
          for (const child of await zk.getChildren(parent)) await zk.delete(`${parent}/${child}`, -1);
          await trimProcQuotas(zk, parent);
        } else {
          if (o.has('n')) limits.count = -1n;
          if (o.has('b')) limits.bytes = -1n;
          if (o.has('N')) limits.countHardLimit = -1n;
          if (o.has('B')) limits.byteHardLimit = -1n;
          await zk.setData(limitPath(path), limits.toString(), -1);
        }
        ctx.result = { deleted: true };
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        ctx.err(`quota for ${path} does not exist.`);
        ctx.result = { deleted: false };
      }
    },
  },
  {
    name: 'close', options: '',
    async run(ctx, _words, shell) {
      await shell.close();
      ctx.result = {};
    },
  },
  {
    name: 'version', options: '',
    async run(ctx, words) {
      const o = parse(NO_OPTIONS, words);
      if (o.args.length > 1) throw new CliError(usageOf(this));
      ctx.out(`ZooKeeper CLI version: zkts-cli ${ZKTS_CLI_VERSION}`);
      ctx.result = { version: ZKTS_CLI_VERSION };
    },
  },
  {
    name: 'reconfig', options: '[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
    async run() {
      throw new CliError('reconfig is not supported by zkts-cli (the client has no reconfig operation)');
    },
  },
];

/** The commands that run against a session, by name. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map(list.map((c) => [c.name, c]));

/** Every command name with its usage options, as zkCli's usage listing shows them. */
export const USAGE_LINES: ReadonlyMap<string, string> = new Map([
  ['connect', 'host:port'],
  ['history', ''],
  ['redo', 'cmdno'],
  ['printwatches', 'on|off'],
  ['quit', ''],
  ...list.map((c) => [c.name, c.options] as [string, string]),
]);

/** The command names, sorted as zkCli sorts them (for completion). */
export const COMMAND_NAMES: readonly string[] = [...USAGE_LINES.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export { javaDateString };
