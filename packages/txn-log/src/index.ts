export * from './zxid.js';
export * from './spi.js';
