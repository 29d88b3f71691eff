import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { freePort } from './reference-zookeeper.js';

describe('freePort', () => {
  it('never hands out the same port twice in a row, and each one can be bound', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    const last = ports.at(-1)!;
    await new Promise<void>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(last, '127.0.0.1', () => srv.close(() => resolve()));
    });
  });
});
