/** Base class of the errors this package throws on purpose. */
export class ZabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** propose()/peekNextZxid() on a peer that is not an established leader. */
export class NotLeaderError extends ZabError {
  constructor(readonly role: string, readonly leaderId: number | null) {
    super(`not an established leader (role ${role}${leaderId === null ? '' : `, leader ${leaderId}`})`);
  }
}

/** The zxid counter of the epoch is exhausted: the leader stepped down to force a new epoch. */
export class ZxidRolloverError extends NotLeaderError {
  constructor(readonly zxid: number) {
    super('looking', null);
    this.message = `zxid counter exhausted at 0x${zxid.toString(16)}: leader stepped down to start a new epoch`;
  }
}

/** forward()/requestSync() on a learner that has not finished syncing with a leader. */
export class NotSyncedError extends ZabError {
  constructor(readonly role: string, readonly phase: string) {
    super(`not synced with a leader (role ${role}, phase ${phase})`);
  }
}

/** propose() while outstandingProposalsMax proposals wait for a quorum. */
export class TooManyOutstandingError extends ZabError {
  constructor(readonly outstandingProposalsMax: number) {
    super(`outstanding proposals limit reached: outstandingProposalsMax=${outstandingProposalsMax}`);
  }
}

/** A bad config or recovered state; the message names the field. */
export class ZabConfigError extends ZabError {
  constructor(readonly field: string, detail: string) {
    super(`zab config: ${field}: ${detail}`);
  }
}

/** The runtime broke the Ready/advance contract or called a method in the wrong state. */
export class ZabUsageError extends ZabError {}

/** Bytes that are not a valid zab message. */
export class DecodeError extends ZabError {
  constructor(detail: string, readonly offset: number) {
    super(`zab message: ${detail} (at byte ${offset})`);
  }
}
