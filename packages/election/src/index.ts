// @zkts/election: the leader-election SPI and its strategies (fast, basic), pure state machines.
export {
  NO_VOTE, PEER_STATES, betterVote, compareVotes, formatVote, isServerId, isValidVote, majorityOf, sameVote, totalOrderPredicate,
  type PeerState, type QuorumCheck, type ServerId, type Vote,
} from './vote.js';
export type {
  ElectedOutput, ElectionInput, ElectionOutput, ElectionSetup, ElectionStrategy, ElectionStrategyFactory, LookingPeer, SendOutput,
} from './spi.js';
export {
  ELECTION_TIMING_DEFAULTS, ELECTION_TIMING_MS_MAX, FINALIZE_WAIT_MS_DEFAULT, NOTIFICATION_INTERVAL_MAX_MS_DEFAULT,
  NOTIFICATION_INTERVAL_MIN_MS_DEFAULT, ROUND_PAUSE_MS_DEFAULT, ROUND_TIMEOUT_MS_DEFAULT, resolveTiming, type ElectionTiming,
} from './timing.js';
export { ELECTION_MEMBERS_MAX } from './setup.js';
export {
  ELECTION_MESSAGE_BYTES_MAX, ELECTION_WIRE_VERSION, ElectionDecodeError, decodeElectionMessage, encodeElectionMessage,
  type AnswerMessage, type ElectionMessage, type NotificationMessage, type QueryMessage,
} from './messages.js';
export { FastLeaderElection, fastElection } from './fast.js';
export { BasicElection, basicElection } from './basic.js';
export { electionStrategies, electionStrategyNamed, type ElectionStrategyName } from './registry.js';
export { seededRandom, mixSeed } from './random.js';
export {
  ElectionCluster, SIMULATED_NETWORK_DEFAULTS, SIMULATION_FAILURE_DETECTION_MS_DEFAULT, SIMULATION_QUEUED_MESSAGES_MAX,
  SIMULATION_SYNC_TIMEOUT_MS_DEFAULT, SIMULATION_TICK_MS_DEFAULT, SIMULATION_VIRTUAL_MS_MAX,
  type ElectedEvent, type ElectionClusterOptions, type SimulatedNetwork, type SimulatedRole,
} from './simulation.js';
export { SIMULATE_TRIALS_MAX, simulateElection, type ElectionStats, type SimulateElectionOptions, type Summary } from './simulate.js';
