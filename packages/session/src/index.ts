// @zkts/session: a pure session tracker (ids, passwords, timeout negotiation, tick-bucket expiry).
export {
  CONTAINER_EPHEMERAL_OWNER,
  SERVER_ID_MAX,
  SESSION_PASSWORD_BYTES,
  SESSION_SECRET_DEFAULT,
  initialSessionId,
  javaRandomBytes,
  serverIdOf,
  sessionIdHex,
  sessionPassword,
} from './ids.js';
export {
  MAX_SESSION_TIMEOUT_TICKS,
  MIN_SESSION_TIMEOUT_TICKS,
  SESSIONS_MAX_DEFAULT,
  SessionLimitError,
  SessionTracker,
} from './tracker.js';
export type { ReopenResult, Session, SessionTrackerOptions } from './tracker.js';
