import net from 'node:net';

/**
 * A TCP proxy to the API that, while armed, cuts the connection part-way into the N-th PATCH
 * request it sees (after its headers and a little of its body), as a dropped network would; or,
 * with `stall`, holds that request back so the client hangs mid-upload until it is killed.
 */
export class TcpCutter {
  private server: net.Server | undefined;
  private patches = 0;
  /** Cut inside this PATCH (1-based); 0 = pass everything. */
  cutAt = 0;
  cuts = 0;
  /** Hold the N-th PATCH back instead of cutting it. */
  stall = false;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<string> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.pipe(client);
      client.on('data', (chunk: Buffer) => {
        let from = 0;
        for (;;) {
          const at = chunk.indexOf('PATCH ', from);
          if (at < 0) break;
          from = at + 1;
          if (++this.patches === this.cutAt) {
            this.cuts++;
            upstream.write(chunk.subarray(0, at));
            // Stalled: the PATCH and all after it stay unsent until the client gives up.
            if (this.stall) return client.removeAllListeners('data');
            upstream.write(chunk.subarray(at, at + 600));
            setTimeout(() => {
              upstream.destroy();
              client.destroy();
            }, 50);
            return;
          }
        }
        upstream.write(chunk);
      });
      client.on('end', () => upstream.end());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
