// Small helpers for driving one strategy by hand in unit tests.
import type { ElectedOutput, ElectionOutput, SendOutput } from '../spi.js';
import type { ElectionMessage, NotificationMessage } from '../messages.js';
import type { PeerState, ServerId, Vote } from '../vote.js';

export const sends = (outputs: readonly ElectionOutput[]): SendOutput[] => outputs.filter((o): o is SendOutput => o.kind === 'send');
export const elected = (outputs: readonly ElectionOutput[]): ElectedOutput[] => outputs.filter((o): o is ElectedOutput => o.kind === 'elected');
export const recipients = (outputs: readonly ElectionOutput[]): ServerId[] => sends(outputs).map((o) => o.to).sort((a, b) => a - b);

export const vote = (leader: ServerId, zxid = 0, peerEpoch = 0): Vote => ({ leader, zxid, peerEpoch });

export const notification = (state: PeerState, electionEpoch: number, v: Vote): NotificationMessage => ({ type: 'notification', state, electionEpoch, vote: v });

export const message = (from: ServerId, msg: ElectionMessage) => ({ kind: 'message' as const, from, msg });
export const tick = { kind: 'tick' as const };

/** A fixed "random" source for strategies under unit test. */
export const half = (): number => 0.5;
