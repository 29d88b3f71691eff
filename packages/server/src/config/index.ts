export { ConfigError } from './errors.js';
export { parseZooCfg, myidPath, type ParseOptions } from './parse.js';
export { parseProperties, type PropertyEntry } from './properties.js';
export { defaultStandaloneConfig } from './defaults.js';
export { formatConfig, type ConfRuntime } from './format.js';
export { loadConfigFile } from './load.js';
export * from './limits.js';
export type * from './types.js';
