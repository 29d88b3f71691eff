// Barriers with the node layouts and protocols of Curator's DistributedBarrier and DistributedDoubleBarrier.
import { randomUUID } from 'node:crypto';
import type { ZooKeeperClient } from '@zkts/client';
import { NodeExistsError, NoNodeError } from '@zkts/client';
import { awaitWatch, deleteIfExists, ensureContainers, joinPath } from './internals.js';

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * `new Barrier(client, '/barrier')`: Curator's DistributedBarrier. The barrier is up while the node
 * exists (a PERSISTENT node, parents as containers): `set()` creates it, `remove()` deletes it, and
 * `wait()` returns once it is gone (an exists watch, re-armed). Holds no ephemeral state: a session
 * expiry only makes a pending wait() reject with SessionExpiredError.
 */
export class Barrier {
  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
  ) {}

  async set(): Promise<void> {
    for (;;) {
      try {
        await this.client.create(this.path, null);
        return;
      } catch (e) {
        if (e instanceof NodeExistsError) return;
        if (!(e instanceof NoNodeError)) throw e;
        await ensureContainers(this.client, parentOf(this.path));
      }
    }
  }

  async remove(): Promise<void> {
    await deleteIfExists(this.client, this.path);
  }

  /** True once the barrier is down; false when `timeoutMs` passes first. */
  async wait(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    for (;;) {
      const { stat, watch } = await this.client.exists(this.path, { watch: true });
      if (stat === null) return true;
      if ((await awaitWatch(watch, deadline)) === 'timeout') return false;
    }
  }
}

/** Curator's DistributedDoubleBarrier READY_NODE. */
export const DOUBLE_BARRIER_READY_NODE = 'ready';
/** Upper bound on memberCount (each member is a child node of the barrier path). */
export const DOUBLE_BARRIER_MEMBERS_MAX = 100_000;

/**
 * `new DoubleBarrier(client, '/dbl', 3)`: Curator's DistributedDoubleBarrier. `enter()` creates an
 * EPHEMERAL `<path>/<uuid>` member node and returns once `memberCount` members have entered (the
 * one that sees enough members creates `<path>/ready`; everyone else waits on an exists watch of
 * it). `leave()` deletes its member node and returns once every member has left (watching the
 * highest remaining member), then deletes `ready`. memberCount is a threshold, not a limit.
 *
 * Session: the member node is ephemeral: if the session expires while inside, the member has left
 * (the others' leave() does not wait for it); a pending enter()/leave() rejects with
 * SessionExpiredError, and leave() after a lost session throws "Our path ... is missing".
 */
export class DoubleBarrier {
  readonly memberName = randomUUID();
  private readonly ourPath: string;
  private readonly readyPath: string;

  constructor(
    private readonly client: ZooKeeperClient,
    readonly path: string,
    readonly memberCount: number,
  ) {
    if (!Number.isInteger(memberCount) || memberCount < 1 || memberCount > DOUBLE_BARRIER_MEMBERS_MAX) {
      throw new RangeError(`DoubleBarrier: memberCount must be an integer in 1..${DOUBLE_BARRIER_MEMBERS_MAX}, got ${memberCount}`);
    }
    this.ourPath = joinPath(path, this.memberName);
    this.readyPath = joinPath(path, DOUBLE_BARRIER_READY_NODE);
  }

  /** True once memberCount members are in; false on timeout (the member node stays: call leave()). */
  async enter(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    const { stat: ready, watch } = await this.client.exists(this.readyPath, { watch: true });
    await this.createMember();
    if (ready !== null) return true;
    const children = await this.client.getChildren(this.path);
    if (children.length >= this.memberCount) {
      try {
        await this.client.create(this.readyPath, null);
      } catch (e) {
        if (!(e instanceof NodeExistsError)) throw e;
      }
      return true;
    }
    if ((await awaitWatch(watch, deadline)) === 'timeout') return false;
    return true;
  }

  /** True once every member has left; false on timeout. */
  async leave(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;
    let ourNodeShouldExist = true;
    let result = true;
    for (;;) {
      let children: string[];
      try {
        children = await this.client.getChildren(this.path);
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        children = [];
      }
      children = children.filter((c) => c !== DOUBLE_BARRIER_READY_NODE).sort();
      if (children.length === 0) break;
      const ourIndex = children.indexOf(this.memberName);
      if (ourIndex < 0 && ourNodeShouldExist) throw new Error(`DoubleBarrier ${this.path}: our path (${this.memberName}) is missing (session lost?)`);
      if (children.length === 1) {
        if (ourNodeShouldExist && children[0] !== this.memberName) throw new Error(`DoubleBarrier ${this.path}: last path (${children[0]}) is not ours (${this.memberName})`);
        if (ourNodeShouldExist) await deleteIfExists(this.client, this.ourPath);
        break;
      }
      const { stat, watch } = await this.client.exists(joinPath(this.path, children[children.length - 1]!), { watch: true });
      if (ourNodeShouldExist) await deleteIfExists(this.client, this.ourPath);
      ourNodeShouldExist = false;
      if (stat !== null && (await awaitWatch(watch, deadline)) === 'timeout') {
        result = false;
        break;
      }
    }
    await deleteIfExists(this.client, this.readyPath);
    return result;
  }

  private async createMember(): Promise<void> {
    for (;;) {
      try {
        await this.client.create(this.ourPath, null, { mode: 'ephemeral' });
        return;
      } catch (e) {
        if (e instanceof NodeExistsError) return; // a retried create whose first reply was lost
        if (!(e instanceof NoNodeError)) throw e;
        await ensureContainers(this.client, this.path);
      }
    }
  }
}
