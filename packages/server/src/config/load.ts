import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { ConfigError } from './errors.js';
import { myidPath, parseZooCfg } from './parse.js';
import { parseProperties } from './properties.js';
import type { ServerConfig } from './types.js';

function read(path: string, fileName: string, key?: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError({ fileName, key, message: `cannot read ${path}: ${(err as Error).message}` });
  }
}

/**
 * Reads a zoo.cfg, plus dataDir/myid and dynamicConfigFile when the file names them, and parses
 * it. Files are read as UTF-8 (ZooKeeper reads ISO-8859-1; the two agree on ASCII configs).
 */
export function loadConfigFile(path: string): ServerConfig {
  const text = read(path, path);
  const files: Record<string, string> = {};
  // A pre-pass finds the paths the parser will ask for; parse errors surface in parseZooCfg.
  let entries: ReturnType<typeof parseProperties> = [];
  try {
    entries = parseProperties(text, path);
  } catch {
    /* reported by parseZooCfg below */
  }
  const value = (k: string): string | undefined => entries.filter((e) => e.key === k).at(-1)?.value;
  const dataDir = value('dataDir');
  if (dataDir) {
    const p = myidPath(dataDir);
    if (existsSync(p)) files[p] = read(p, p, 'myid');
  }
  const dynamic = value('dynamicConfigFile');
  if (dynamic) {
    // ZooKeeper opens it relative to the working directory; also try beside zoo.cfg.
    const candidates = isAbsolute(dynamic) ? [dynamic] : [dynamic, resolve(dirname(path), dynamic)];
    const found = candidates.find((c) => existsSync(c));
    if (found) files[dynamic] = read(found, path, 'dynamicConfigFile');
  }
  return parseZooCfg(text, { fileName: path, files });
}
