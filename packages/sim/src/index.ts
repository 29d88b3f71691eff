export { SimRandom, SEED_MAX, assertSeed } from './prng.js';
export {
  HistoryRecorder, HistoryParseError, parseJsonLines, toJsonLines, toEdn, toPorcupineJson,
  EVENT_TYPES, REGISTER_FNS, HISTORY_EVENTS_MAX,
  type HistoryEvent, type EventType, type RegisterFn, type RegisterValue, type PendingOp, type PorcupineOperation,
} from './history.js';
export {
  checkHistory, checkPath, toOperations, describeOp, formatCheckResult, HistoryError,
  CHECK_MODELS, CHECK_STEPS_MAX_DEFAULT, CHECK_MEMO_ENTRIES_MAX_DEFAULT, CHECK_TIME_MS_MAX_DEFAULT,
  type CheckModel, type CheckOptions, type CheckOp, type CheckResult, type PathResult, type PathFailure, type Verdict,
} from './linearizability.js';
export { Simulation, SimulationFailure, simulate, formatFailure, electionTrial, ELECTION_SCENARIOS, type ElectionScenario, type ElectionMeasure, type ElectionTrial, SIM_EVENTS_MAX, SAFETY_MS_PER_OP_MAX, type SimResult, type SimFailure, type FailureKind, type ElectionRecord } from './simulation.js';
export {
  SIM_DEFAULTS, FAULT_KINDS, FAULTS_ALL, ELECTION_NAMES, PLANTED_BUGS, SERVERS_MAX, CLIENTS_MAX, OPS_MAX, REGISTERS_MAX,
  resolveSimOptions, parseFaults, parseWorkloads, WORKLOADS, type Workload, type SimOptions, type FaultKind, type ElectionName, type PlantedBug,
} from './options.js';
export { Trace, TRACE_TAIL_LINES_DEFAULT } from './trace.js';
export { checkIds, checkLock, checkQueue, type FinalTree } from './workload-checks.js';
export { parseScript, ScriptError, SCRIPT_STEPS_MAX, type ScriptStep, type ScriptAction } from './script.js';
