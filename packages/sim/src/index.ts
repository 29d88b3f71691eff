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
