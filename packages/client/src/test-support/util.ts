import { filter, firstValueFrom, type Observable, timeout } from 'rxjs';
import type { ConnectionState } from '../core.js';
import type { ZooKeeperClient } from '../client.js';

/** Resolves when the client reaches `state` (at once if it is there), or fails after `ms`. */
export function waitForState(client: ZooKeeperClient, state: ConnectionState, ms = 10_000): Promise<ConnectionState> {
  return firstValueFrom(client.state$.pipe(filter((s) => s === state), timeout(ms)));
}

/** Every state the client announces from now on. */
export function recordStates(client: ZooKeeperClient): ConnectionState[] {
  const seen: ConnectionState[] = [];
  client.state$.subscribe((s) => seen.push(s));
  return seen;
}

/** The first event of a stream, or an error after `ms`. */
export function next<T>(obs: Observable<T>, ms = 10_000): Promise<T> {
  return firstValueFrom(obs.pipe(timeout(ms)));
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

let counter = 0;
/** A fresh node name per test so tests on a shared server do not meet. */
export function uniqueName(prefix = 't'): string {
  counter++;
  return `${prefix}${process.pid}_${counter}_${Math.floor(Math.random() * 1e6)}`;
}
