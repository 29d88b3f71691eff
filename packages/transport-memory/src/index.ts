export { MemoryNetwork, MemoryPeerTransport } from './network.js';
export type { DropReason, LinkStats, MemoryNetworkOptions, NetworkEvent } from './network.js';
export { LINK_DELAY_MS_MAX } from './faults.js';
export type { DelayRangeMs, LinkFaults, ResolvedLinkFaults } from './faults.js';
export { MANUAL_SCHEDULER_RUN_EVENTS_MAX, ManualScheduler, RealScheduler, seededRandom } from './scheduler.js';
export type { Cancel, Scheduler } from './scheduler.js';
