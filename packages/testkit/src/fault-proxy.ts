import net from 'node:net';

/** A fault to inject into the next connection that carries enough bytes. */
export interface Fault {
  /** `drop` resets both sides mid-transfer; `stall` stops forwarding and holds the connection open. */
  kind: 'drop' | 'stall';
  /** Which bytes count: `upstream` is client → server (uploads), `downstream` server → client (downloads). */
  direction: 'upstream' | 'downstream';
  /** The fault fires when this many bytes have passed that way since it was injected. */
  afterBytes: number;
  /** How many times it fires (counting restarts after each), default 1. */
  times?: number;
  /**
   * Counting starts only once an upstream chunk matches this (e.g. a request line such as
   * `/^POST \S*uploadId=/m`), so a fault can hit one kind of request; re-armed after each firing.
   */
  armedBy?: RegExp;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at the target. */
  readonly url: string;
  readonly port: number;
  /** How many times a fault fired so far. */
  readonly hits: number;
  /** Connections accepted so far. */
  readonly connections: number;
  inject(fault: Fault): void;
  /** Forward everything from now on (stalled connections stay stalled). */
  clear(): void;
  close(): Promise<void>;
}

type Direction = Fault['direction'];

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for tests that need connections to break
 * mid-transfer: it forwards bytes both ways with backpressure until an injected fault fires.
 */
export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let fault: (Fault & { left: number; passed: number; armed: boolean }) | undefined;
  let hits = 0;
  let connections = 0;

  /** Bytes of this chunk that may pass before the fault fires; the whole chunk when none does. */
  const allowance = (direction: Direction, length: number): number => {
    if (!fault?.armed || fault.direction !== direction) return length;
    const room = fault.afterBytes - fault.passed;
    if (room >= length) {
      fault.passed += length;
      return length;
    }
    return Math.max(0, room);
  };

  const fire = (client: net.Socket, server: net.Socket) => {
    if (!fault) return;
    hits++;
    const kind = fault.kind;
    fault.left--;
    fault.passed = 0;
    fault.armed = !fault.armedBy;
    if (fault.left <= 0) fault = undefined;
    if (kind === 'drop') {
      client.resetAndDestroy();
      server.resetAndDestroy();
    } else {
      client.pause();
      server.pause();
      client.removeAllListeners('data');
      server.removeAllListeners('data');
    }
  };

  const forward = (
    from: net.Socket,
    to: net.Socket,
    direction: Direction,
    client: net.Socket,
    server: net.Socket,
  ) => {
    from.on('data', (chunk: Buffer) => {
      if (fault && !fault.armed && direction === 'upstream' && fault.armedBy?.test(chunk.toString('latin1')))
        fault.armed = true;
      const allowed = allowance(direction, chunk.length);
      if (allowed < chunk.length) {
        if (allowed > 0) to.write(chunk.subarray(0, allowed));
        fire(client, server);
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => from.resume());
    from.on('end', () => to.end());
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };

  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    forward(client, upstream, 'upstream', client, upstream);
    forward(upstream, client, 'downstream', client, upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    get hits() {
      return hits;
    },
    get connections() {
      return connections;
    },
    inject(next) {
      fault = { ...next, left: next.times ?? 1, passed: 0, armed: !next.armedBy };
    },
    clear() {
      fault = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
