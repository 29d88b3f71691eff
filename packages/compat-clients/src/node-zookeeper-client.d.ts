// Types for the parts of node-zookeeper-client 1.1.3 (CommonJS, untyped) the tests use.
declare module 'node-zookeeper-client' {
  import type { EventEmitter } from 'node:events';

  export interface Stat {
    czxid: Buffer; mzxid: Buffer; ctime: Buffer; mtime: Buffer; pzxid: Buffer; ephemeralOwner: Buffer;
    version: number; cversion: number; aversion: number; dataLength: number; numChildren: number;
  }
  export class Exception extends Error {
    getCode(): number;
    getName(): string;
    getPath(): string | undefined;
    static readonly NO_NODE: number;
    static readonly NO_AUTH: number;
    static readonly BAD_VERSION: number;
    static readonly NODE_EXISTS: number;
    static readonly NOT_EMPTY: number;
    static readonly CONNECTION_LOSS: number;
  }
  export class Event {
    getType(): number;
    getName(): string;
    getPath(): string;
  }
  export class Id {
    constructor(scheme: string, id: string);
    scheme: string;
    id: string;
  }
  export class ACL {
    constructor(permission: number, id: Id);
    permission: number;
    id: Id;
    static readonly OPEN_ACL_UNSAFE: ACL[];
    static readonly CREATOR_ALL_ACL: ACL[];
    static readonly READ_ACL_UNSAFE: ACL[];
  }
  export const Permission: { READ: number; WRITE: number; CREATE: number; DELETE: number; ADMIN: number; ALL: number };
  export const CreateMode: { PERSISTENT: number; PERSISTENT_SEQUENTIAL: number; EPHEMERAL: number; EPHEMERAL_SEQUENTIAL: number };
  export interface State { name: string; code: number; getName(): string; getCode(): number }
  export const State: Record<'DISCONNECTED' | 'SYNC_CONNECTED' | 'AUTH_FAILED' | 'CONNECTED_READ_ONLY' | 'SASL_AUTHENTICATED' | 'EXPIRED', State>;

  type Cb<T> = (error: Exception | Error | null, result: T) => void;
  export type Watcher = (event: Event) => void;
  export interface OpResult { type: number; path?: string; stat?: Stat; err?: number }

  export class Transaction {
    create(path: string, data?: Buffer | null, acls?: ACL[], mode?: number): Transaction;
    setData(path: string, data: Buffer | null, version?: number): Transaction;
    check(path: string, version?: number): Transaction;
    remove(path: string, version?: number): Transaction;
    commit(callback: (error: Exception | Error | null, results: OpResult[]) => void): void;
  }

  export interface ClientOptions { sessionTimeout?: number; spinDelay?: number; retries?: number }
  export class Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): State;
    getSessionId(): Buffer;
    getSessionTimeout(): number;
    addAuthInfo(scheme: string, auth: Buffer): void;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Cb<string>): void;
    remove(path: string, version: number, callback: (error: Exception | Error | null) => void): void;
    exists(path: string, watcher: Watcher | undefined, callback: Cb<Stat | null>): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: (error: Exception | Error | null, children: string[], stat: Stat) => void): void;
    getData(path: string, watcher: Watcher | undefined, callback: (error: Exception | Error | null, data: Buffer | null, stat: Stat) => void): void;
    setData(path: string, data: Buffer | null, version: number, callback: Cb<Stat>): void;
    getACL(path: string, callback: (error: Exception | Error | null, acls: ACL[], stat: Stat) => void): void;
    setACL(path: string, acls: ACL[], version: number, callback: Cb<Stat>): void;
    mkdirp(path: string, callback: Cb<string>): void;
    transaction(): Transaction;
  }
  export function createClient(connectionString: string, options?: ClientOptions): Client;

  const zookeeper: {
    createClient: typeof createClient;
    ACL: typeof ACL;
    Id: typeof Id;
    Permission: typeof Permission;
    CreateMode: typeof CreateMode;
    State: typeof State;
    Event: typeof Event;
    Exception: typeof Exception;
  };
  export default zookeeper;
}
