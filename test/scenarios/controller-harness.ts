/** What both scenario harnesses share: a controller on an in-memory store, and its call-log rows. */
import { EventEmitter } from 'node:events';
import type { Config } from '../../src/config/schema.js';
import { Controller } from '../../src/controller.js';
import { Store } from '../../src/store/index.js';
import { pino } from 'pino';
import { createLogger, silentLogger } from '../../src/log.js';
import type { CallRecord } from '../../src/call/record.js';
import type { PlacedCall } from './harness.js';
import { importContacts } from '../../src/contacts/import.js';
import { waitFor } from '../support/wait.js';
import type { SimDriver } from '../../src/sim/driver.js';

export abstract class ControllerHarness {
  controller!: Controller;
  protected store!: Store;
  private readonly ended = new EventEmitter();
  /** Every call's row as the session keeps it (callStarted hands over the live object). */
  private readonly rows = new Map<string, CallRecord>();

  private config!: Config;
  private stopping: Promise<{ drained: boolean }> | null = null;
  private driven: { sim: object; driver: SimDriver } | null = null;

  /** The driver of the simulator `sim`, made anew when a chaos test has replaced the simulator. */
  protected driverOf<S extends object>(sim: S, make: (sim: S) => SimDriver): SimDriver {
    if (this.driven?.sim !== sim) this.driven = { sim, driver: make(sim) };
    return this.driven.driver;
  }

  /** Start the controller (SCENARIO_LOG=debug shows its log; SCENARIO_LOG_FILE=f writes it to f). */
  protected async startController(config: Config): Promise<void> {
    this.store = await Store.open(':memory:');
    this.config = config;
    await this.newController();
  }

  /** After a (re)start: what the PBX needs to know of the new controller (FreeSWITCH: its port). */
  protected attach(): void {}

  private async newController(): Promise<void> {
    this.stopping = null;
    this.controller = await Controller.start({
      loaded: { config: this.config, file: 'scenario.yaml', dir: '.', sqlitePath: ':memory:', warnings: [] },
      log: process.env.SCENARIO_LOG
        ? createLogger({ level: process.env.SCENARIO_LOG, ...(process.env.SCENARIO_LOG_FILE ? { destination: pino.destination(process.env.SCENARIO_LOG_FILE) } : {}) })
        : silentLogger(),
      store: this.store,
      observer: { callStarted: (r) => void this.rows.set(r.id, r), callEnded: (r) => this.ended.emit(r.id, r) },
    });
    this.attach();
  }

  /** A simulated phone registered, unregistered or took a call of its own: await the controller seeing it (2 s). */
  protected async deviceSeen(endpoint: string, state: 'unavailable' | 'in-use', is: boolean): Promise<void> {
    const what = state === 'unavailable' ? (is ? 'unregistered' : 'registered') : is ? 'in use' : 'idle';
    await waitFor(() => (this.controller.devices.get(endpoint) === state) === is, 2000, `${endpoint} ${what} in the controller`);
  }

  protected async stopController(): Promise<void> {
    if (this.controller) await (this.stopping ?? this.controller.stop(1000));
    await this.store?.close();
  }

  drain(drainMs: number): Promise<{ drained: boolean }> {
    this.stopping ??= this.controller.stop(drainMs);
    return this.stopping;
  }

  async restart(): Promise<void> {
    if (this.stopping) await this.stopping;
    else await this.controller.stop(1000);
    await this.newController();
  }

  async addContact(phone: string, owner: string, name = `Contact ${phone}`): Promise<void> {
    await this.store.contacts.upsertBatch([{ phone, name, owner, fields: {} }]);
    await this.controller.refreshContacts();
  }

  /** `switchboard contacts import FILE.csv` into the controller's store. */
  async importContacts(file: string): Promise<void> {
    const config = this.controller.config;
    await importContacts(this.store, file, { users: new Set(config.users.map((u) => u.id)), defaultCountry: config.defaultCountry });
    await this.controller.refreshContacts();
  }

  /**
   * `switchboard block add|remove` as another process would do it: a write to the store, then
   * (with a deadline of one second, the spec's promise) the running controller has it.
   */
  async block(pattern: string, on = true): Promise<void> {
    if (on) await this.store.blocked.add(pattern);
    else await this.store.blocked.remove(pattern);
    const probe = pattern.endsWith('*') ? `${pattern.slice(0, -1)}${'5'.repeat(Math.max(1, 12 - pattern.length))}` : pattern;
    await waitFor(() => (this.controller.live.blockList(this.controller.config.blocked).match(probe) !== null) === on, 1000, `block ${pattern} ${on ? 'on' : 'off'} in the running controller`);
  }

  /** `switchboard schedule ID open|closed|auto`, reaching the running controller within a second. */
  async override(scheduleId: string, state: 'open' | 'closed' | null): Promise<void> {
    await this.store.overrides.set(scheduleId, state);
    await waitFor(() => (this.controller.live.overrides.get(scheduleId) ?? null) === state, 1000, `override ${scheduleId} ${state} in the running controller`);
  }

  async setDnd(user: string, on: boolean): Promise<void> {
    await this.store.dnd.set(user, on);
    // The controller re-reads the table every 250 ms; the spec allows a second.
    await waitFor(() => this.controller.live.dnd.has(user) === on, 1000, `DND ${on ? 'on' : 'off'} for ${user} to reach the controller`);
  }

  /** Whether the store holds a row for `callId` (finished or not). */
  async hasRow(callId: string): Promise<boolean> {
    return (await this.store.calls.get(callId)) !== null;
  }

  /** The controller has the call (its session started): a `connect` answered with channel data. */
  protected async controllerHasCall(callId: string, ms: number): Promise<void> {
    await waitFor(() => this.rows.has(callId), ms, `the controller having call ${callId}`);
  }

  /**
   * The controller has taken the call's answer in: the session sets `answeredAt` in the same turn
   * as it counts the user "bridged on a Switchboard call" (spec section 6). The PBX reports the
   * bridge earlier: the FreeSWITCH backend first waits (up to 1.5 s) for the losing legs' causes,
   * and a test that placed its next call in between found the user not yet on a call.
   */
  protected async controllerAnswered(call: PlacedCall, ms: number): Promise<void> {
    await waitFor(() => this.rows.get(call.callId)?.answeredAt, ms, `the controller taking in the answer of call ${call.callId}`);
  }

  /** The finished call-log row, waiting (with a deadline) for the call to end. */
  async waitForRecord(call: PlacedCall, ms = 8000): Promise<CallRecord> {
    const done = await this.store.calls.get(call.callId);
    if (done?.outcome) return done;
    return new Promise<CallRecord>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`call ${call.callId} did not end within ${ms} ms`)), ms);
      this.ended.once(call.callId, (r: CallRecord) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }
}
