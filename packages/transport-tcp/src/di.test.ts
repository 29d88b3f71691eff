import 'reflect-metadata';
import { container as root } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ClientListener } from '@zkts/transport';
import { registerTcpTransport } from './di.js';
import { TcpClientListener } from './listener.js';
import { RecordingHandler, frame, openClient, write } from './test-support/harness.js';

describe('registerTcpTransport', () => {
  it('binds ClientListener to one TcpClientListener with the given options', async () => {
    const c = root.createChildContainer();
    registerTcpTransport(c, { client: { port: 0, maxClientCnxns: 3 } });
    const listener = c.resolve(ClientListener);
    expect(listener).toBeInstanceOf(TcpClientListener);
    expect(c.resolve(ClientListener)).toBe(listener);
    expect((listener as TcpClientListener).options.maxClientCnxns).toBe(3);

    const h = new RecordingHandler();
    const { port } = await listener.listen(h);
    const client = await openClient(port);
    await write(client.socket, frame('via DI'));
    await h.until(() => h.texts(1).length === 1);
    client.socket.destroy();
    await listener.close();
  });

  it('a bad option fails at registration, naming it', () => {
    expect(() => registerTcpTransport(root.createChildContainer(), { client: { port: 0, maxFrameBytes: -5 } }))
      .toThrow(/maxFrameBytes/);
  });
});
