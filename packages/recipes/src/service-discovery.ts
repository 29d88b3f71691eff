// A service registry with the layout and JSON of Curator's ServiceDiscovery (curator-x-discovery).
import { randomUUID } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import type { ZooKeeperClient } from '@zkts/client';
import { NodeExistsError, NoNodeError } from '@zkts/client';
import { deleteIfExists, ensureContainers, joinPath } from './internals.js';
import { watchChildren, watchChildrenData } from './node-watch.js';

/** Curator's ServiceType: DYNAMIC instances are EPHEMERAL (they go with the session), STATIC and PERMANENT persistent. */
export type ServiceType = 'DYNAMIC' | 'STATIC' | 'PERMANENT' | 'DYNAMIC_SEQUENTIAL';

/** Curator's ServiceInstance as its JsonInstanceSerializer writes it. `payload` is any JSON (Curator: a typed object). */
export interface ServiceInstance<P = unknown> {
  name: string;
  id: string;
  address: string | null;
  port: number | null;
  sslPort: number | null;
  payload: P | null;
  registrationTimeUTC: number;
  serviceType: ServiceType;
  uriSpec: unknown;
  /** Curator 4.1+ field; not written (Curator's default compatible mode leaves it out), true when absent. */
  enabled?: boolean;
}

export class ServiceInstanceFormatError extends Error {
  constructor(path: string, why: string) {
    super(`service instance ${path}: ${why}`);
    this.name = 'ServiceInstanceFormatError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON bytes with Curator's field order (compatible serialization mode, no `enabled`). */
export function encodeServiceInstance(i: ServiceInstance): Uint8Array {
  const { name, id, address, port, sslPort, payload, registrationTimeUTC, serviceType, uriSpec } = i;
  return encoder.encode(JSON.stringify({ name, id, address, port, sslPort, payload, registrationTimeUTC, serviceType, uriSpec: uriSpec ?? null }));
}

export function decodeServiceInstance<P = unknown>(data: Uint8Array | null, path: string): ServiceInstance<P> {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(data ?? new Uint8Array(0)));
  } catch (e) {
    throw new ServiceInstanceFormatError(path, `not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null) throw new ServiceInstanceFormatError(path, 'not a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o['name'] !== 'string' || typeof o['id'] !== 'string') throw new ServiceInstanceFormatError(path, 'missing string fields "name" and "id"');
  return {
    name: o['name'],
    id: o['id'],
    address: typeof o['address'] === 'string' ? o['address'] : null,
    port: typeof o['port'] === 'number' ? o['port'] : null,
    sslPort: typeof o['sslPort'] === 'number' ? o['sslPort'] : null,
    payload: (o['payload'] ?? null) as P | null,
    registrationTimeUTC: typeof o['registrationTimeUTC'] === 'number' ? o['registrationTimeUTC'] : 0,
    serviceType: (typeof o['serviceType'] === 'string' ? o['serviceType'] : 'DYNAMIC') as ServiceType,
    uriSpec: o['uriSpec'] ?? null,
    enabled: typeof o['enabled'] === 'boolean' ? o['enabled'] : true,
  };
}

export interface RegisterOptions<P> {
  name: string;
  /** Default: a random UUID (as Curator's builder). */
  id?: string;
  address?: string | null;
  port?: number | null;
  sslPort?: number | null;
  payload?: P | null;
  /** Default DYNAMIC (ephemeral). */
  serviceType?: ServiceType;
  uriSpec?: unknown;
}

function checkName(what: string, v: string): void {
  if (v.length === 0 || v.includes('/')) throw new RangeError(`ServiceDiscovery: ${what} must be a non-empty node name without '/', got ${JSON.stringify(v)}`);
}

/**
 * `new ServiceDiscovery(client, '/services')`: Curator's layout `<base>/<name>/<id>`, each node the
 * instance's JSON as Curator's JsonInstanceSerializer writes it, so Curator consumers see zkts
 * providers and the other way round. Providers `register()` (DYNAMIC: an EPHEMERAL node, gone with
 * the session — an expired provider disappears from every consumer's list; Curator would re-register
 * on its new session, a zkts client cannot renew one). Consumers `instances$(name)` get the live list.
 */
export class ServiceDiscovery {
  private readonly registered = new Map<string, ServiceInstance>();

  constructor(
    private readonly client: ZooKeeperClient,
    readonly basePath: string,
  ) {}

  private pathFor(name: string, id: string): string {
    return joinPath(joinPath(this.basePath, name), id);
  }

  /** Registers an instance; returns it as stored. NodeExistsError if the id is taken by a live registration. */
  async register<P>(opts: RegisterOptions<P>): Promise<ServiceInstance<P>> {
    checkName('name', opts.name);
    const instance: ServiceInstance<P> = {
      name: opts.name,
      id: opts.id ?? randomUUID(),
      address: opts.address ?? null,
      port: opts.port ?? null,
      sslPort: opts.sslPort ?? null,
      payload: opts.payload ?? null,
      registrationTimeUTC: Date.now(),
      serviceType: opts.serviceType ?? 'DYNAMIC',
      uriSpec: opts.uriSpec ?? null,
    };
    checkName('id', instance.id);
    const path = this.pathFor(instance.name, instance.id);
    if (instance.serviceType === 'DYNAMIC_SEQUENTIAL') throw new RangeError('ServiceDiscovery: serviceType DYNAMIC_SEQUENTIAL is not supported');
    const mode = instance.serviceType === 'DYNAMIC' ? 'ephemeral' : 'persistent';
    const data = encodeServiceInstance(instance);
    for (;;) {
      try {
        await this.client.create(path, data, { mode });
        break;
      } catch (e) {
        if (e instanceof NoNodeError) {
          await ensureContainers(this.client, joinPath(this.basePath, instance.name));
          continue;
        }
        if (e instanceof NodeExistsError && (await this.client.exists(path))?.ephemeralOwner === this.client.sessionId) break;
        throw e;
      }
    }
    this.registered.set(path, instance);
    return instance;
  }

  /** Rewrites a registered instance's JSON (Curator's updateService). */
  async update<P>(instance: ServiceInstance<P>): Promise<void> {
    await this.client.setData(this.pathFor(instance.name, instance.id), encodeServiceInstance(instance));
  }

  async unregister(instance: Pick<ServiceInstance, 'name' | 'id'>): Promise<void> {
    const path = this.pathFor(instance.name, instance.id);
    this.registered.delete(path);
    await deleteIfExists(this.client, path);
  }

  /** Service names (children of the base path). */
  async names(): Promise<string[]> {
    try {
      return (await this.client.getChildren(this.basePath)).sort();
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  /** The instances of `name` now, sorted by id. */
  async instances<P = unknown>(name: string): Promise<ServiceInstance<P>[]> {
    checkName('name', name);
    const dir = joinPath(this.basePath, name);
    let ids: string[];
    try {
      ids = await this.client.getChildren(dir);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
    const out: ServiceInstance<P>[] = [];
    for (const id of ids.sort()) {
      try {
        out.push(decodeServiceInstance<P>((await this.client.getData(joinPath(dir, id))).data, joinPath(dir, id)));
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
      }
    }
    return out;
  }

  /**
   * The live list of `name`'s instances (sorted by id), emitted now and on every registration and
   * departure. Ends with SessionExpiredError if this client's session expires; completes on close.
   */
  instances$<P = unknown>(name: string): Observable<ServiceInstance<P>[]> {
    checkName('name', name);
    const dir = joinPath(this.basePath, name);
    return watchChildrenData(this.client, dir).pipe(
      map((view) => [...view.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, data]) => decodeServiceInstance<P>(data, joinPath(dir, id)))),
    );
  }

  /** The live list of service names. */
  names$(): Observable<string[]> {
    return watchChildren(this.client, this.basePath);
  }

  /** Unregisters everything this object registered (Curator's ServiceDiscovery.close()). */
  async close(): Promise<void> {
    for (const path of [...this.registered.keys()]) {
      this.registered.delete(path);
      await deleteIfExists(this.client, path).catch(() => undefined);
    }
  }
}
