// node-zookeeper-client 1.1.3 scenarios. Each takes a connect string (a server, possibly with a
// chroot) and returns a JSON-able result holding only what Apache ZooKeeper and zkts must give
// identically: error names, paths, data, event order, Stat fields without zxids, times or ids.
import { createHash } from 'node:crypto';
import zookeeper, { type Client, type Event, type OpResult, type Stat } from 'node-zookeeper-client';
import { startTcpProxy } from './tcp-proxy.js';

const { ACL, CreateMode, Exception, Id, Permission } = zookeeper;

/** Bound for every wait on a server or an event. */
export const NZK_WAIT_MS = 15_000;

export interface ScenarioContext {
  /** host:port of the server under test. */
  readonly hostPort: string;
  /** The scenario's own root (absolute, created empty by the runner); clients chroot into it. */
  readonly root: string;
}

export type NzkScenario = (ctx: ScenarioContext) => Promise<unknown>;

function within<T>(promise: Promise<T>, what: string, ms = NZK_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A node-zookeeper-client Client with promise-returning calls. Closed by the scenario runner. */
export class Zk {
  readonly states: string[] = [];
  private constructor(readonly client: Client) {
    client.on('state', (s: { getName(): string }) => this.states.push(s.getName()));
  }

  static async connect(connectString: string, options: { sessionTimeout?: number; spinDelay?: number } = {}, open: Zk[]): Promise<Zk> {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 10_000, spinDelay: 100, retries: 0, ...options });
    const zk = new Zk(client);
    open.push(zk);
    const connected = zk.next('connected');
    client.connect();
    await connected;
    return zk;
  }

  /** Resolves on the next emission of a client event ('connected', 'disconnected', ...). */
  next(event: string): Promise<void> {
    return within(new Promise<void>((resolve) => this.client.once(event, () => resolve())), `client event ${event}`);
  }

  private call<T>(what: string, run: (cb: (error: unknown, value?: T) => void) => void): Promise<T> {
    return within(
      new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T)))),
      what,
    );
  }

  create(path: string, data: Buffer | null = null, mode: number = CreateMode.PERSISTENT, acls = ACL.OPEN_ACL_UNSAFE): Promise<string> {
    return this.call(`create ${path}`, (cb) => this.client.create(path, data, acls, mode, cb));
  }
  remove(path: string, version = -1): Promise<void> {
    return this.call(`remove ${path}`, (cb) => this.client.remove(path, version, cb));
  }
  exists(path: string, watcher?: (e: Event) => void): Promise<Stat | null> {
    return this.call(`exists ${path}`, (cb) => this.client.exists(path, watcher, cb));
  }
  getData(path: string, watcher?: (e: Event) => void): Promise<{ data: Buffer | null; stat: Stat }> {
    return this.call(`getData ${path}`, (cb) => this.client.getData(path, watcher, (e, data, stat) => cb(e, { data, stat })));
  }
  setData(path: string, data: Buffer | null, version = -1): Promise<Stat> {
    return this.call(`setData ${path}`, (cb) => this.client.setData(path, data, version, cb));
  }
  getChildren(path: string, watcher?: (e: Event) => void): Promise<{ children: string[]; stat: Stat }> {
    return this.call(`getChildren ${path}`, (cb) => this.client.getChildren(path, watcher, (e, children, stat) => cb(e, { children, stat })));
  }
  getACL(path: string): Promise<{ acls: InstanceType<typeof ACL>[]; stat: Stat }> {
    return this.call(`getACL ${path}`, (cb) => this.client.getACL(path, (e, acls, stat) => cb(e, { acls, stat })));
  }
  setACL(path: string, acls: InstanceType<typeof ACL>[], version = -1): Promise<Stat> {
    return this.call(`setACL ${path}`, (cb) => this.client.setACL(path, acls, version, cb));
  }
  mkdirp(path: string): Promise<string> {
    return this.call(`mkdirp ${path}`, (cb) => this.client.mkdirp(path, cb));
  }
  commit(build: (t: ReturnType<Client['transaction']>) => void): Promise<{ error: string | null; results: OpResult[] }> {
    const t = this.client.transaction();
    build(t);
    return within(
      new Promise((resolve, reject) =>
        t.commit((error, results) => {
          if (error && !(error instanceof Exception)) reject(error);
          else resolve({ error: error ? error.getName() : null, results: results ?? [] });
        }),
      ),
      'transaction commit',
    );
  }
  close(): void {
    this.client.close();
  }
}

/** 'OK' with the value, or the ZooKeeper error name; anything else (a timeout) is thrown. */
async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { error: string }> {
  try {
    return { ok: await p };
  } catch (e) {
    if (e instanceof Exception) return { error: e.getName() };
    throw e;
  }
}
async function errorOf(p: Promise<unknown>): Promise<string> {
  const o = await outcome(p);
  return 'error' in o ? o.error : 'OK';
}

export function statView(st: Stat | null | undefined): Record<string, number | boolean> | null {
  if (!st) return null;
  return {
    version: st.version,
    cversion: st.cversion,
    aversion: st.aversion,
    dataLength: st.dataLength,
    numChildren: st.numChildren,
    ephemeral: !st.ephemeralOwner.equals(Buffer.alloc(8)),
  };
}

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const eventView = (e: Event) => ({ type: e.getName(), path: e.getPath() });

/** Collects watch events and lets a scenario await the n-th. */
class EventLog {
  readonly items: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  watcher(label: string): (e: Event) => void {
    return (e) => this.push({ watch: label, ...eventView(e) });
  }
  push(item: Record<string, unknown>): void {
    this.items.push(item);
    for (const w of this.waiters.splice(0)) w();
  }
  async waitFor(n: number, what: string): Promise<Record<string, unknown>[]> {
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (this.items.length >= n) resolve();
          else this.waiters.push(check);
        };
        check();
      }),
      `${what} (${this.items.length} of ${n} events)`,
    );
    return [...this.items];
  }
}

const digestId = (user: string, password: string): string =>
  `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;

// ---------------------------------------------------------------------------------------------

const crud: NzkScenario = async ({ hostPort, root }) => {
  const open: Zk[] = [];
  try {
    const zk = await Zk.connect(hostPort + root, {}, open);
    const r: Record<string, unknown> = {};
    r['create'] = await zk.create('/n', Buffer.from('d0'));
    r['create_again'] = await errorOf(zk.create('/n'));
    r['create_no_parent'] = await errorOf(zk.create('/missing/child'));
    r['exists'] = statView(await zk.exists('/n'));
    r['exists_missing'] = await zk.exists('/nope');
    const got = await zk.getData('/n');
    r['get'] = { data: text(got.data), stat: statView(got.stat) };
    r['get_missing'] = await errorOf(zk.getData('/nope'));
    r['set_v0'] = statView(await zk.setData('/n', Buffer.from('d1'), 0));
    r['set_stale'] = await errorOf(zk.setData('/n', Buffer.from('x'), 0));
    r['set_any'] = statView(await zk.setData('/n', Buffer.from('d2')));
    r['set_missing'] = await errorOf(zk.setData('/nope', Buffer.from('x')));
    await zk.create('/n/b', Buffer.from('bb'));
    await zk.create('/n/a');
    const kids = await zk.getChildren('/n');
    r['children'] = { children: [...kids.children].sort(), stat: statView(kids.stat) };
    r['children_missing'] = await errorOf(zk.getChildren('/nope'));
    r['remove_not_empty'] = await errorOf(zk.remove('/n', 2));
    r['remove_bad_version'] = await errorOf(zk.remove('/n/a', 5));
    r['remove_v0'] = await errorOf(zk.remove('/n/a', 0));
    r['remove_again'] = await errorOf(zk.remove('/n/a'));
    // null data and empty data are different on the wire (length -1 vs 0).
    await zk.create('/null');
    await zk.create('/empty', Buffer.alloc(0));
    const nul = await zk.getData('/null');
    const empty = await zk.getData('/empty');
    const shape = (b: Buffer | null | undefined): string => (b === undefined ? 'undefined' : b === null ? 'null' : `${b.length} bytes`);
    r['null_data'] = { data: shape(nul.data), dataLength: nul.stat.dataLength };
    r['empty_data'] = { data: shape(empty.data), dataLength: empty.stat.dataLength };
    const big = Buffer.alloc(200_000, 7);
    await zk.create('/big', big);
    const bigBack = await zk.getData('/big');
    r['big_roundtrip'] = bigBack.data !== null && bigBack.data.equals(big);
    r['mkdirp'] = await zk.mkdirp('/deep/er/path');
    r['mkdirp_children'] = (await zk.getChildren('/deep/er')).children;
    const acl = await zk.getACL('/n');
    r['acl'] = { acls: acl.acls.map((a) => [a.permission, a.id.scheme, a.id.id]), stat: statView(acl.stat) };
    r['root_children'] = [...(await zk.getChildren('/')).children].sort();
    return r;
  } finally {
    for (const z of open) z.close();
  }
};

const modes: NzkScenario = async ({ hostPort, root }) => {
  const open: Zk[] = [];
  try {
    const a = await Zk.connect(hostPort + root, {}, open);
    const b = await Zk.connect(hostPort + root, {}, open);
    const r: Record<string, unknown> = {};
    r['ephemeral'] = await a.create('/e', Buffer.from('x'), CreateMode.EPHEMERAL);
    const st = await b.exists('/e');
    r['owner_is_creator'] = st !== null && st.ephemeralOwner.equals(a.client.getSessionId());
    r['child_of_ephemeral'] = await errorOf(a.create('/e/c'));
    r['sequential'] = [await a.create('/s-', null, CreateMode.PERSISTENT_SEQUENTIAL), await a.create('/s-', null, CreateMode.PERSISTENT_SEQUENTIAL)];
    r['ephemeral_sequential'] = await a.create('/es-', null, CreateMode.EPHEMERAL_SEQUENTIAL);
    r['sequential_after'] = await b.create('/s-', null, CreateMode.PERSISTENT_SEQUENTIAL);
    const events = new EventLog();
    await b.exists('/e', events.watcher('exists /e'));
    await b.getChildren('/', events.watcher('children /'));
    a.close();
    // Both ephemerals go in one closeSession txn: one exists event, one child event.
    const seen = await events.waitFor(2, 'ephemeral deletion events');
    r['events'] = seen;
    r['after_close'] = [...(await b.getChildren('/')).children].sort();
    return r;
  } finally {
    for (const z of open) z.close();
  }
};

const opView = (o: OpResult) => ({
  type: o.type,
  ...(o.path !== undefined ? { path: o.path } : {}),
  ...(o.stat !== undefined ? { stat: statView(o.stat) } : {}),
  ...(o.err !== undefined ? { err: o.err } : {}),
});

const transaction: NzkScenario = async ({ hostPort, root }) => {
  const open: Zk[] = [];
  try {
    const zk = await Zk.connect(hostPort + root, {}, open);
    await zk.create('/t', Buffer.from('p'));
    await zk.create('/t/old');
    await zk.setData('/t', Buffer.from('p1'));
    await zk.setData('/t/old', Buffer.from('o1'));
    const r: Record<string, unknown> = {};
    // Versions are 1 here on purpose: node-zookeeper-client 1.1.3's Transaction turns a version
    // of 0 into -1 (`version || -1`), so a 0 would not be checked at all.
    const ok = await zk.commit((t) =>
      t.create('/t/a', Buffer.from('1'))
        .create('/t/s-', null, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL)
        .check('/t', 1)
        .setData('/t', Buffer.from('q'), 1)
        .remove('/t/old', 1),
    );
    r['ok'] = { error: ok.error, results: ok.results.map(opView) };
    r['after_ok'] = [...(await zk.getChildren('/t')).children].sort();
    const bad = await zk.commit((t) => t.create('/t/b').check('/t', 1).setData('/t', Buffer.from('z')));
    r['bad_version'] = { error: bad.error, results: bad.results.map(opView) };
    const exists = await zk.commit((t) => t.setData('/t/a', Buffer.from('2')).create('/t/a').remove('/t/a'));
    r['node_exists'] = { error: exists.error, results: exists.results.map(opView) };
    const noNode = await zk.commit((t) => t.remove('/t/zzz'));
    r['no_node'] = { error: noNode.error, results: noNode.results.map(opView) };
    const got = await zk.getData('/t');
    const a = await zk.getData('/t/a');
    r['after_failures'] = {
      children: [...(await zk.getChildren('/t')).children].sort(),
      data: text(got.data),
      version: got.stat.version,
      a: text(a.data),
      aVersion: a.stat.version,
    };
    return r;
  } finally {
    for (const z of open) z.close();
  }
};

const watchers: NzkScenario = async ({ hostPort, root }) => {
  const open: Zk[] = [];
  try {
    const a = await Zk.connect(hostPort + root, {}, open);
    const b = await Zk.connect(hostPort + root, {}, open);
    await b.create('/w');
    await b.create('/w/a', Buffer.from('0'));
    const events = new EventLog();
    // One of each kind, each fired once.
    await a.getData('/w/a', events.watcher('data /w/a'));
    await a.getChildren('/w', events.watcher('children /w'));
    await a.exists('/w/b', events.watcher('exists /w/b'));
    await a.exists('/w/a', events.watcher('exists /w/a'));
    await b.setData('/w/a', Buffer.from('1'));
    await events.waitFor(2, 'data change events');
    await b.setData('/w/a', Buffer.from('2')); // no watch left on /w/a: nothing fires
    await b.create('/w/b');
    await events.waitFor(4, 'create events');
    await b.create('/w/c'); // the child watch already fired
    await b.remove('/w/a');
    // A round trip on a's own connection: any notification sent before it has arrived.
    await a.exists('/w');
    const firstRound = [...events.items];
    // Re-register and delete: data watch on a node and exists watch see NodeDeleted, the
    // parent's child watch sees NodeChildrenChanged, in that order (one txn).
    await a.getData('/w/b', events.watcher('data /w/b'));
    await a.getChildren('/w', events.watcher('children /w'));
    await b.remove('/w/b');
    await events.waitFor(firstRound.length + 2, 'delete events');
    // A getChildren watch on the deleted parent itself fires NodeDeleted.
    await b.remove('/w/c');
    await a.getChildren('/w', events.watcher('children /w (self)'));
    await b.remove('/w');
    await events.waitFor(firstRound.length + 3, 'parent delete event');
    await a.exists('/');
    return { firstRound, secondRound: events.items.slice(firstRound.length) };
  } finally {
    for (const z of open) z.close();
  }
};

const acl: NzkScenario = async ({ hostPort, root }) => {
  const open: Zk[] = [];
  try {
    const owner = await Zk.connect(hostPort + root, {}, open);
    const other = await Zk.connect(hostPort + root, {}, open);
    owner.client.addAuthInfo('digest', Buffer.from('user:secret'));
    const r: Record<string, unknown> = {};
    const mine = [new ACL(Permission.ALL, new Id('digest', digestId('user', 'secret'))), new ACL(Permission.READ, new Id('digest', digestId('reader', 'pw')))];
    r['create'] = await owner.create('/secret', Buffer.from('s'), CreateMode.PERSISTENT, mine);
    r['stranger_get'] = await errorOf(other.getData('/secret'));
    r['stranger_getACL'] = await errorOf(other.getACL('/secret'));
    r['stranger_set'] = await errorOf(other.setData('/secret', Buffer.from('x')));
    other.client.addAuthInfo('digest', Buffer.from('user:wrong'));
    r['wrong_password_get'] = await errorOf(other.getData('/secret'));
    other.client.addAuthInfo('digest', Buffer.from('reader:pw'));
    r['reader_get'] = text((await other.getData('/secret')).data);
    r['reader_set'] = await errorOf(other.setData('/secret', Buffer.from('x')));
    r['reader_acl'] = (await other.getACL('/secret')).acls.map((a) => [a.permission, a.id.scheme, a.id.id]);
    r['owner_acl'] = (await owner.getACL('/secret')).acls.map((a) => [a.permission, a.id.scheme, a.id.id]);
    r['owner_set'] = statView(await owner.setData('/secret', Buffer.from('t')));
    r['creator_all'] = await owner.create('/creator', null, CreateMode.PERSISTENT, ACL.CREATOR_ALL_ACL);
    r['creator_acl'] = (await owner.getACL('/creator')).acls.map((a) => [a.permission, a.id.scheme, a.id.id]);
    r['reader_creator_get'] = await errorOf(other.getData('/creator'));
    const anon = await Zk.connect(hostPort + root, {}, open);
    r['anon_creator_all'] = await errorOf(anon.create('/anon', null, CreateMode.PERSISTENT, ACL.CREATOR_ALL_ACL));
    await owner.create('/open');
    r['setACL_v0'] = statView(await owner.setACL('/open', ACL.READ_ACL_UNSAFE.concat([new ACL(Permission.ADMIN, new Id('world', 'anyone'))]), 0));
    r['setACL_stale'] = await errorOf(owner.setACL('/open', ACL.OPEN_ACL_UNSAFE, 0));
    r['anon_set_read_only'] = await errorOf(anon.setData('/open', Buffer.from('x')));
    r['bad_acl'] = await errorOf(owner.create('/bad', null, CreateMode.PERSISTENT, [new ACL(Permission.ALL, new Id('digest', 'no-colon'))]));
    return r;
  } finally {
    for (const z of open) z.close();
  }
};

const authFailed: NzkScenario = async ({ hostPort, root }) => {
  const open: Zk[] = [];
  try {
    const zk = await Zk.connect(hostPort + root, {}, open);
    const failed = zk.next('authenticationFailed');
    zk.client.addAuthInfo('nosuchscheme', Buffer.from('x'));
    await failed;
    return { states: [...zk.states] };
  } finally {
    for (const z of open) z.close();
  }
};

/** The client's socket drops (a proxy cuts it) and the client reconnects on its own. */
const reconnect: NzkScenario = async ({ hostPort, root }) => {
  const [host, port] = hostPort.split(':') as [string, string];
  const proxy = await startTcpProxy(host, Number(port));
  const open: Zk[] = [];
  try {
    const a = await Zk.connect(proxy.connectString + root, {}, open);
    const b = await Zk.connect(hostPort + root, {}, open);
    a.client.addAuthInfo('digest', Buffer.from('user:secret'));
    await a.create('/eph', null, CreateMode.EPHEMERAL);
    await a.create('/guarded', Buffer.from('g'), CreateMode.PERSISTENT, [new ACL(Permission.ALL, new Id('digest', digestId('user', 'secret')))]);
    await b.create('/data', Buffer.from('0'));
    await b.create('/same', Buffer.from('0'));
    const sessionBefore = a.client.getSessionId().toString('hex');
    const events = new EventLog();
    await a.getData('/data', events.watcher('data /data'));
    await a.getData('/same', events.watcher('data /same'));
    await a.exists('/later', events.watcher('exists /later'));
    await a.getChildren('/', events.watcher('children /'));
    // Cut the connection and hold the client off while b changes what a watches.
    proxy.refuse(true);
    const disconnected = a.next('disconnected');
    proxy.dropConnections();
    await disconnected;
    // A request made while disconnected waits in the client's queue and goes out after reconnect.
    const duringOutage = errorOf(a.exists('/data'));
    await b.setData('/data', Buffer.from('1'));
    await b.create('/later');
    const reconnected = a.next('connected');
    proxy.refuse(false);
    await reconnected;
    // setWatches on reconnect: watches whose node changed while away fire at once.
    const fired = await events.waitFor(3, 'watches re-registered on reconnect');
    await a.exists('/');
    const r: Record<string, unknown> = {};
    r['same_session'] = a.client.getSessionId().toString('hex') === sessionBefore;
    r['during_outage'] = await duringOutage;
    r['events'] = fired;
    r['events_after_roundtrip'] = events.items.length;
    r['ephemeral_survives'] = (await b.exists('/eph')) !== null;
    r['auth_resent'] = text((await a.getData('/guarded')).data);
    await b.setData('/same', Buffer.from('1'));
    r['unchanged_watch_still_armed'] = (await events.waitFor(4, 'watch on /same after reconnect'))[3];
    r['states'] = [...a.states];
    return r;
  } finally {
    for (const z of open) z.close();
    await proxy.close();
  }
};

export const NZK_SCENARIOS: Record<string, NzkScenario> = { crud, modes, transaction, watchers, acl, authFailed, reconnect };

/** Creates the scenario's root with a plain client, then runs it. */
export async function runNzkScenario(hostPort: string, name: string): Promise<unknown> {
  const scenario = NZK_SCENARIOS[name];
  if (!scenario) throw new Error(`no node-zookeeper-client scenario ${name}`);
  const root = `/nzk-${name}`;
  const open: Zk[] = [];
  try {
    const zk = await Zk.connect(hostPort, {}, open);
    await zk.create(root);
  } finally {
    for (const z of open) z.close();
  }
  return scenario({ hostPort, root });
}
