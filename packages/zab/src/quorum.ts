// The quorum rule as a small interface (ZooKeeper's QuorumVerifier): majorities now, weighted or
// hierarchical verifiers can implement the same method later.

export interface QuorumVerifier {
  /** True when `ids` holds a quorum of voters; ids that are not voters (observers) never count. */
  containsQuorum(ids: ReadonlySet<number>): boolean;
}

/** More than half of the voters. */
export class MajorityQuorum implements QuorumVerifier {
  readonly voters: ReadonlySet<number>;
  readonly half: number;

  constructor(voters: Iterable<number>) {
    this.voters = new Set(voters);
    if (this.voters.size === 0) throw new RangeError('MajorityQuorum needs at least one voter');
    this.half = Math.floor(this.voters.size / 2);
  }

  containsQuorum(ids: ReadonlySet<number>): boolean {
    let count = 0;
    for (const id of ids) if (this.voters.has(id)) count++;
    return count > this.half;
  }
}
