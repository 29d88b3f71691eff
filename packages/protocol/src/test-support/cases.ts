// Every record codec with a generator of its values, shared by the round-trip and fuzz tests.
import fc from 'fast-check';
import type { Codec } from '../jute.js';
import { MultiRequest, MultiResponse } from '../multi.js';
import * as R from '../records.js';
import * as T from '../txn.js';
import { ACL, ClientInfo, Id, Stat, StatPersisted } from '../types.js';
import * as A from './arbitraries.js';

const { int32, long, long64, text, nullableText, bytes, nullableBytes, texts, stat, acls } = A;
const pathWatch = fc.record({ path: text, watch: fc.boolean() });
const pathVersion = fc.record({ path: text, version: int32 });
const path = fc.record({ path: text });
const statOnly = fc.record({ stat });
const watches = {
  relativeZxid: long,
  dataWatches: texts,
  existWatches: texts,
  childWatches: texts,
};

// [name, codec, generator]
export const CASES: [string, Codec<unknown>, fc.Arbitrary<unknown>][] = [
  ['Id', Id, A.id],
  ['ACL', ACL, A.acl],
  ['Stat', Stat, stat],
  ['StatPersisted', StatPersisted, A.statPersisted],
  ['ClientInfo', ClientInfo, fc.record({ authScheme: text, user: text })],
  ['ConnectRequest', R.ConnectRequest, fc.record(
    { protocolVersion: int32, lastZxidSeen: long, timeOut: int32, sessionId: long64, passwd: bytes, readOnly: fc.boolean() },
    { requiredKeys: ['protocolVersion', 'lastZxidSeen', 'timeOut', 'sessionId', 'passwd'] },
  )],
  ['ConnectResponse', R.ConnectResponse, fc.record(
    { protocolVersion: int32, timeOut: int32, sessionId: long64, passwd: bytes, readOnly: fc.boolean() },
    { requiredKeys: ['protocolVersion', 'timeOut', 'sessionId', 'passwd'] },
  )],
  ['RequestHeader', R.RequestHeader, fc.record({ xid: int32, type: int32 })],
  ['ReplyHeader', R.ReplyHeader, fc.record({ xid: int32, zxid: long, err: int32 })],
  ['MultiHeader', R.MultiHeader, fc.record({ type: int32, done: fc.boolean(), err: int32 })],
  ['ExistsRequest', R.ExistsRequest, pathWatch],
  ['GetDataRequest', R.GetDataRequest, pathWatch],
  ['GetChildrenRequest', R.GetChildrenRequest, pathWatch],
  ['GetChildren2Request', R.GetChildren2Request, pathWatch],
  ['DeleteRequest', R.DeleteRequest, pathVersion],
  ['CheckVersionRequest', R.CheckVersionRequest, pathVersion],
  ['AddWatchRequest', R.AddWatchRequest, fc.record({ path: text, mode: int32 })],
  ['CheckWatchesRequest', R.CheckWatchesRequest, fc.record({ path: text, type: int32 })],
  ['RemoveWatchesRequest', R.RemoveWatchesRequest, fc.record({ path: text, type: int32 })],
  ['GetACLRequest', R.GetACLRequest, path],
  ['SyncRequest', R.SyncRequest, path],
  ['SyncResponse', R.SyncResponse, path],
  ['CreateResponse', R.CreateResponse, path],
  ['GetAllChildrenNumberRequest', R.GetAllChildrenNumberRequest, path],
  ['GetEphemeralsRequest', R.GetEphemeralsRequest, fc.record({ prefixPath: text })],
  ['ExistsResponse', R.ExistsResponse, statOnly],
  ['SetDataResponse', R.SetDataResponse, statOnly],
  ['SetACLResponse', R.SetACLResponse, statOnly],
  ['GetSASLRequest', R.GetSASLRequest, fc.record({ token: nullableBytes })],
  ['SetSASLResponse', R.SetSASLResponse, fc.record({ token: nullableBytes })],
  ['CreateRequest', R.CreateRequest, A.createRequest],
  ['CreateTTLRequest', R.CreateTTLRequest, A.createTTLRequest],
  ['Create2Response', R.Create2Response, fc.record({ path: text, stat })],
  ['SetDataRequest', R.SetDataRequest, fc.record({ path: text, data: nullableBytes, version: int32 })],
  ['SetACLRequest', R.SetACLRequest, fc.record({ path: text, acl: acls, version: int32 })],
  ['ReconfigRequest', R.ReconfigRequest, fc.record({ joiningServers: nullableText, leavingServers: nullableText, newMembers: nullableText, curConfigId: long })],
  ['GetDataResponse', R.GetDataResponse, fc.record({ data: nullableBytes, stat })],
  ['GetACLResponse', R.GetACLResponse, fc.record({ acl: acls, stat })],
  ['GetChildrenResponse', R.GetChildrenResponse, fc.record({ children: texts })],
  ['GetChildren2Response', R.GetChildren2Response, fc.record({ children: texts, stat })],
  ['GetAllChildrenNumberResponse', R.GetAllChildrenNumberResponse, fc.record({ totalNumber: int32 })],
  ['GetEphemeralsResponse', R.GetEphemeralsResponse, fc.record({ ephemerals: texts })],
  ['WhoAmIResponse', R.WhoAmIResponse, fc.record({ clientInfo: fc.array(fc.record({ authScheme: text, user: text }), { maxLength: 3 }) })],
  ['ErrorResponse', R.ErrorResponse, fc.record({ err: int32 })],
  ['AuthPacket', R.AuthPacket, fc.record({ type: int32, scheme: text, auth: nullableBytes })],
  ['SetWatches', R.SetWatches, fc.record(watches)],
  ['SetWatches2', R.SetWatches2, fc.record({ ...watches, persistentWatches: texts, persistentRecursiveWatches: texts })],
  ['WatcherEvent', R.WatcherEvent, fc.record({ type: int32, state: int32, path: text })],
  ['MultiRequest', MultiRequest, fc.record({ ops: fc.array(A.multiOp, { maxLength: 5 }) })],
  ['MultiResponse', MultiResponse, fc.record({ results: fc.array(A.opResult, { maxLength: 5 }) })],
  ['TxnHeader', T.TxnHeader, fc.record({ clientId: long64, cxid: int32, zxid: long, time: long, type: int32 })],
  ['TxnDigest', T.TxnDigest, fc.record({ version: int32, treeDigest: long64 })],
  ['CreateTxn', T.CreateTxn, fc.record({ path: text, data: nullableBytes, acl: acls, ephemeral: fc.boolean(), parentCVersion: int32 })],
  ['CreateContainerTxn', T.CreateContainerTxn, fc.record({ path: text, data: nullableBytes, acl: acls, parentCVersion: int32 })],
  ['CreateTTLTxn', T.CreateTTLTxn, fc.record({ path: text, data: nullableBytes, acl: acls, parentCVersion: int32, ttl: long })],
  ['DeleteTxn', T.DeleteTxn, path],
  ['SetDataTxn', T.SetDataTxn, fc.record({ path: text, data: nullableBytes, version: int32 })],
  ['CheckVersionTxn', T.CheckVersionTxn, pathVersion],
  ['SetACLTxn', T.SetACLTxn, fc.record({ path: text, acl: acls, version: int32 })],
  ['ErrorTxn', T.ErrorTxn, fc.record({ err: int32 })],
  ['CreateSessionTxn', T.CreateSessionTxn, fc.record({ timeOut: int32 })],
  ['CloseSessionTxn', T.CloseSessionTxn, fc.record({ paths2Delete: texts })],
  ['MultiTxn', T.MultiTxn, fc.record({ txns: fc.array(fc.record({ type: int32, data: bytes }), { maxLength: 3 }) })],
];

