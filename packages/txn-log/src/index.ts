export * from './zxid.js';
export * from './spi.js';
export * from './errors.js';
export * from './entry-codec.js';
export * from './snapshot.js';
export * from './epoch.js';
export * from './recover.js';
export * from './progress.js';
export { crc32, crc32Of4 } from './checksum.js';
