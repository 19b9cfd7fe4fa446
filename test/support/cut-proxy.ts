/**
 * A TCP proxy on 127.0.0.1 that a test can cut: every connection through it is closed at once and
 * new ones are refused until `restore()`. Put between the controller and a real PBX, it is a
 * network drop of the controller's connection alone (the test's own connections go direct).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class CutProxy {
  private readonly open = new Set<Socket>();
  private cutNow = false;

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: { host: string; port: number }): Promise<CutProxy> {
    let proxy!: CutProxy;
    const server = createServer((client) => proxy.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    proxy = new CutProxy(server, typeof addr === 'object' && addr ? addr.port : 0);
    return proxy;
  }

  /** `url` with its host and port replaced by this proxy's. */
  via(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString().replace(/\/$/, '');
  }

  /** Close every connection through the proxy now, and refuse new ones until restore(). */
  cut(): void {
    this.cutNow = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  restore(): void {
    this.cutNow = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.cutNow) return void client.destroy();
    const upstream = connect(target.port, target.host);
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      this.open.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.open.delete(a);
        b.destroy();
      });
      a.pipe(b);
    }
  }
}
