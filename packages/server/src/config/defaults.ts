import { ConfigError } from './errors.js';
import * as L from './limits.js';
import { deepFreeze, parseZooCfg } from './parse.js';
import type { ServerConfig } from './types.js';

/**
 * The quick-start server (zoo_sample.cfg without a dataDir): 127.0.0.1:2181, tickTime 2000,
 * memory storage, every four-letter word (it listens on loopback only). The zkts-server bin's
 * quick start passes { zktsStorage: 'file', dataDir: './data' } (apps/server QUICKSTART_STORAGE);
 * embedders and tests get memory so that nothing is written to the working directory. Overrides replace fields; session timeouts and the client address follow
 * tickTimeMs / clientPort unless overridden too. clientPort 0 is allowed here (let the OS pick,
 * for tests); a zoo.cfg cannot say that.
 */
export function defaultStandaloneConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const base = parseZooCfg(
    `tickTime=${L.QUICKSTART_TICK_TIME_MS}\nclientPort=${L.QUICKSTART_CLIENT_PORT}\n` +
      `clientPortAddress=${L.QUICKSTART_CLIENT_HOST}\nzkts.storage=memory\n4lw.commands.whitelist=*\n`,
    { fileName: '<defaults>' },
  );
  const tickTimeMs = overrides.tickTimeMs ?? base.tickTimeMs;
  const clientPort = overrides.clientPort ?? base.clientPort;
  const clientPortAddress = overrides.clientPortAddress ?? base.clientPortAddress;
  const cfg: ServerConfig = {
    ...base,
    minSessionTimeoutMs: tickTimeMs * L.MIN_SESSION_TIMEOUT_TICKS,
    maxSessionTimeoutMs: tickTimeMs * L.MAX_SESSION_TIMEOUT_TICKS,
    clientAddress: clientPort === undefined ? undefined : { host: clientPortAddress ?? L.WILDCARD_HOST, port: clientPort },
    ...overrides,
    warnings: overrides.warnings ?? [],
  };
  const check = (ok: boolean, key: string, message: string): void => {
    if (!ok) throw new ConfigError({ fileName: '<defaults>', key, message });
  };
  check(Number.isInteger(cfg.tickTimeMs) && cfg.tickTimeMs > 0, 'tickTime', `tickTime must be a positive integer (milliseconds), got "${cfg.tickTimeMs}"`);
  check(cfg.minSessionTimeoutMs <= cfg.maxSessionTimeoutMs, 'minSessionTimeout',
    `minSessionTimeout (${cfg.minSessionTimeoutMs} ms) must not be larger than maxSessionTimeout (${cfg.maxSessionTimeoutMs} ms)`);
  const port = cfg.clientAddress?.port;
  check(port === undefined || (Number.isInteger(port) && port >= 0 && port <= L.PORT_MAX), 'clientPort', `clientPort must be 0..${L.PORT_MAX}, got "${port}"`);
  check(!L.DURABLE_STORAGE_KINDS.includes(cfg.zktsStorage) || cfg.dataDir !== undefined, 'dataDir',
    `dataDir is required when zkts.storage is ${cfg.zktsStorage}`);
  return deepFreeze(cfg);
}
