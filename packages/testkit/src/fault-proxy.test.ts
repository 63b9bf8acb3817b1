import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

/** An echo server: the simplest real peer that shows what passed through the proxy. */
async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function exchange(
  port: number,
  data: Buffer,
  timeoutMs = 1000,
): Promise<{ received: Buffer; ended: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const parts: Buffer[] = [];
    const finish = (ended: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(parts), ended });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (c) => {
      parts.push(c);
      if (Buffer.concat(parts).length >= data.length) finish('complete');
    });
    socket.on('error', () => finish('error'));
    socket.on('close', () => finish('closed'));
    socket.write(data);
  });
}

describe('fault proxy', () => {
  let proxy: FaultProxy | undefined;
  let echo: Awaited<ReturnType<typeof echoServer>> | undefined;
  afterEach(async () => {
    await proxy?.close();
    await echo?.close();
  });

  it('forwards both ways when no fault is injected', async () => {
    echo = await echoServer();
    proxy = await startFaultProxy({ port: echo.port });
    const data = Buffer.alloc(300_000, 7);
    const { received, ended } = await exchange(proxy.port, data);
    expect(ended).toBe('complete');
    expect(received.equals(data)).toBe(true);
    expect(proxy.hits).toBe(0);
  });

  it('drops a connection after the given bytes, once', async () => {
    echo = await echoServer();
    proxy = await startFaultProxy({ port: echo.port });
    proxy.inject({ kind: 'drop', direction: 'upstream', afterBytes: 1000 });
    const first = await exchange(proxy.port, Buffer.alloc(5000, 1));
    expect(first.ended).not.toBe('complete');
    expect(first.received.length).toBeLessThanOrEqual(1000);
    expect(proxy.hits).toBe(1);
    const second = await exchange(proxy.port, Buffer.alloc(5000, 2));
    expect(second.ended).toBe('complete');
  });

  it('stalls a connection downstream, holding it open', async () => {
    echo = await echoServer();
    proxy = await startFaultProxy({ port: echo.port });
    proxy.inject({ kind: 'stall', direction: 'downstream', afterBytes: 100 });
    const { received, ended } = await exchange(proxy.port, Buffer.alloc(5000, 3), 500);
    expect(ended).toBe('timeout');
    expect(received.length).toBe(100);
    expect(proxy.hits).toBe(1);
  });

  it('waits for an upstream chunk matching armedBy before counting', async () => {
    echo = await echoServer();
    proxy = await startFaultProxy({ port: echo.port });
    proxy.inject({ kind: 'drop', direction: 'downstream', afterBytes: 0, armedBy: /^COMMIT /m });
    const before = await exchange(proxy.port, Buffer.from('PUT part\n'.repeat(500)));
    expect(before.ended).toBe('complete');
    expect(proxy.hits).toBe(0);
    const commit = await exchange(proxy.port, Buffer.from('COMMIT now\n'));
    expect(commit.ended).not.toBe('complete');
    expect(commit.received.length).toBe(0);
    expect(proxy.hits).toBe(1);
  });
});
