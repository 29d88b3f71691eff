// A typed builder for multi: each call appends one op and the result type of commit() grows with
// it, so `const [a, b] = await client.transaction().create(...).setData(...).commit()` is typed.
import type { ACL, Stat } from '@zkts/protocol';
import type { CreateModeName } from './options.js';

export type Data = Uint8Array | string | null | undefined;

export type TransactionOp =
  | { type: 'create'; path: string; data: Data; mode: CreateModeName | number; acl: readonly ACL[] | undefined; ttl: number | undefined }
  | { type: 'delete'; path: string; version: number }
  | { type: 'setData'; path: string; data: Data; version: number }
  | { type: 'check'; path: string; version: number };

export interface CreateOpResult { type: 'create'; path: string; stat?: Stat | undefined }
export interface DeleteOpResult { type: 'delete' }
export interface SetDataOpResult { type: 'setData'; stat: Stat }
export interface CheckOpResult { type: 'check' }
export type TransactionResult = CreateOpResult | DeleteOpResult | SetDataOpResult | CheckOpResult;

export interface TransactionCreateOptions {
  mode?: CreateModeName | number;
  acl?: readonly ACL[];
  ttl?: number;
}

export class Transaction<R extends readonly TransactionResult[] = []> {
  constructor(
    private readonly run: (ops: readonly TransactionOp[]) => Promise<TransactionResult[]>,
    readonly ops: readonly TransactionOp[] = [],
  ) {}

  private with<T extends TransactionResult>(op: TransactionOp): Transaction<[...R, T]> {
    return new Transaction<[...R, T]>(this.run, [...this.ops, op]);
  }

  create(path: string, data?: Data, opts: TransactionCreateOptions = {}): Transaction<[...R, CreateOpResult]> {
    return this.with({ type: 'create', path, data, mode: opts.mode ?? 'persistent', acl: opts.acl, ttl: opts.ttl });
  }
  delete(path: string, version = -1): Transaction<[...R, DeleteOpResult]> {
    return this.with({ type: 'delete', path, version });
  }
  setData(path: string, data: Data, version = -1): Transaction<[...R, SetDataOpResult]> {
    return this.with({ type: 'setData', path, data, version });
  }
  check(path: string, version: number): Transaction<[...R, CheckOpResult]> {
    return this.with({ type: 'check', path, version });
  }

  /** Runs every op atomically: all results, or a MultiError carrying each op's outcome. */
  async commit(): Promise<R> {
    return (await this.run(this.ops)) as unknown as R;
  }
}
