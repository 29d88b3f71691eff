// Helpers to drive one ZabPeer by hand: take every Ready (advancing each) and look at what came out.
import type { OutboundMessage, Ready, ZabMessage, ZabPeer } from '../index.js';

export function drain(peer: ZabPeer): Ready[] {
  const out: Ready[] = [];
  while (peer.hasReady()) {
    const r = peer.ready();
    out.push(r);
    peer.advance(r);
  }
  return out;
}

export function messagesOf(readies: readonly Ready[]): OutboundMessage[] {
  return readies.flatMap((r) => r.messages);
}

export function sentTo<T extends ZabMessage['type']>(readies: readonly Ready[], to: number, type: T): Extract<ZabMessage, { type: T }>[] {
  return messagesOf(readies).filter((m) => m.to === to && m.msg.type === type).map((m) => m.msg as Extract<ZabMessage, { type: T }>);
}
