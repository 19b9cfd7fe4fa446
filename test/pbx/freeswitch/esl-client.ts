/**
 * A test-side inbound ESL client on the product's own codec: auth, api, bgapi, event subscriptions.
 * The test "carrier" uses it to start calls and to watch every channel on the real FreeSWITCH.
 */
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { EslConnection } from '../../../src/backend/freeswitch/connection.js';
import type { EslEvent } from '../../../src/esl/protocol.js';

export class EslClient extends EventEmitter {
  private constructor(private readonly conn: EslConnection) {
    super();
    this.setMaxListeners(0);
    conn.on('event', (ev: EslEvent) => this.emit('event', ev));
    conn.once('close', () => this.emit('close'));
  }

  /** Connect to 127.0.0.1:`port`, wait for the auth request, authenticate; throws at the deadline. */
  static async connect(port: number, password: string, ms: number): Promise<EslClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    const conn = new EslConnection(socket);
    const timer = setTimeout(() => socket.destroy(new Error(`ESL on port ${port}: no auth request within ${ms} ms`)), ms);
    try {
      await new Promise<void>((resolve, reject) => {
        conn.once('auth-request', resolve);
        socket.once('error', reject);
        conn.once('close', () => reject(new Error(`ESL on port ${port} closed before auth`)));
      });
      const reply = await conn.send(`auth ${password}`);
      if (!reply.headers['Reply-Text']?.startsWith('+OK')) throw new Error(`ESL auth refused: ${reply.headers['Reply-Text'] ?? ''}`);
      return new EslClient(conn);
    } catch (err) {
      conn.socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `api <cmd>`: the reply body as is (errors are bodies starting with -ERR). */
  async api(cmd: string): Promise<string> {
    return (await this.conn.send(`api ${cmd}`)).body;
  }

  async bgapi(cmd: string): Promise<string> {
    return (await this.conn.send(`bgapi ${cmd}`)).headers['Reply-Text'] ?? '';
  }

  async subscribe(events: string[]): Promise<void> {
    await this.conn.send(`event plain ${events.join(' ')}`);
  }

  close(): void {
    this.conn.close();
  }
}
