/**
 * The composition root: the one place that wires config, store, CRM look-up, backend and call
 * sessions together. Everything else receives its dependencies through constructors.
 */
import { setMaxListeners } from 'node:events';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { openStore } from './store/open.js';
import type { SwitchboardStore } from './runtime/store.js';
import { createCrmLookup } from './contacts/crm.js';
import { resolveContact } from './contacts/resolve.js';
import { OwnerIndex } from './contacts/owner-index.js';
import { runCall, type CallObserver } from './call/session.js';
import type { CallControl, PbxBackend, StoredCall } from './call/contract.js';
import { closeLostCall, resumeCall } from './call/resume.js';
import { Metrics } from './observability/metrics.js';
import { CallRetention } from './store/retention.js';
import { loadConfigOffThread } from './config/load-off-thread.js';
import { ROUTES_NOTHING, routesNothing, suspiciousShrink } from './config/reload-guard.js';
import { ReloadRefusedError, SwitchboardError } from './errors.js';
import { LiveState } from './runtime/live.js';
import { DeviceStates, Presence } from './runtime/presence.js';
import { PbxOutage } from './runtime/pbx-outage.js';

export interface ControllerOptions {
  loaded: LoadedConfig;
  log: Logger;
  /** Use an open store instead of opening the config's (tests, demo). */
  store?: SwitchboardStore;
  observer?: CallObserver;
  /** Make the backend; default: by `config.backend`. */
  makeBackend?: (config: Config, log: Logger) => Promise<PbxBackend>;
  /** How long the PBX may be gone before calls in progress are closed as failed (spec: 30 s). */
  pbxLostMs?: number;
}

/** Build the backend the config names. Imported lazily: a FreeSWITCH site never loads ari-client. */
export async function defaultBackend(config: Config, log: Logger): Promise<PbxBackend> {
  if (config.backend === 'freeswitch') {
    const { FreeswitchBackend } = await import('./backend/freeswitch/backend.js');
    return new FreeswitchBackend({ config, log });
  }
  const { AsteriskBackend } = await import('./backend/asterisk/backend.js');
  return new AsteriskBackend({ config, log });
}

/** How long sessions get, after the drain deadline, to hand their callers off and close rows. */
const HANDOFF_MS = 5000;

export class Controller {
  private loaded!: LoadedConfig;
  /** What every new call needs from the config in force, made once per load, not once per call. */
  private callDeps!: { config: Config; crm?: (phone: string) => Promise<string | null>; users: ReadonlySet<string> };
  private readonly sessions = new Map<string, Promise<unknown>>();
  private reconciling: Promise<void> = Promise.resolve();
  private readonly owners: OwnerIndex;
  private generation = 1;
  private ownsStore: boolean;
  private stopped = false;
  /** Aborted at the drain deadline: sessions still ringing hand their caller to the fail-safe. */
  /** Every call in progress listens on its signal (call/drain.ts): no listener cap, no false leak warning. */
  private readonly drainDeadline = (() => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  })();
  readonly metrics: Metrics;
  private readonly observer: CallObserver;
  /** DND, schedule overrides and the run-time block list, re-read from the store every 250 ms. */
  readonly live: LiveState;
  /** Device states as the PBX reports them (section 6). */
  readonly devices = new DeviceStates();
  readonly presence: Presence;
  private readonly retention: CallRetention;
  private readonly outage: PbxOutage;

  private constructor(
    private readonly opts: ControllerOptions,
    readonly store: SwitchboardStore,
    readonly backend: PbxBackend,
  ) {
    this.useConfig(opts.loaded);
    this.ownsStore = !opts.store;
    this.live = new LiveState(store, opts.log);
    this.presence = new Presence({
      answers: store.groupAnswers,
      dnd: () => this.live.dnd,
      devices: this.devices,
      log: opts.log,
      ...(store.kind === 'postgres' ? { shared: { bus: store.presenceBus ?? null } } : {}),
    });
    this.metrics = new Metrics({
      connected: () => backend.isConnected(),
      activeCalls: () => this.activeCalls,
      configGeneration: () => this.generation,
      dndUsers: () => [...this.live.dnd.keys()].filter((u) => this.callDeps.users.has(u)).length,
      deviceStates: () => this.devices.counts(),
      store: () => store.health(),
    });
    this.observer = combineObservers([this.metrics.observer, opts.observer]);
    this.owners = new OwnerIndex(store.contacts, opts.log);
    this.owners.start();
    this.retention = new CallRetention(store.calls, () => this.config.storage.keepCallsDays, opts.log);
    this.retention.start();
    this.outage = new PbxOutage({ afterMs: opts.pbxLostMs ?? 30_000, connected: () => backend.isConnected(), log: opts.log });
  }

  /** Open the store, connect the backend and start taking calls. */
  static async start(opts: ControllerOptions): Promise<Controller> {
    const controller = await Controller.create(opts);
    await controller.connect();
    return controller;
  }

  /** Open the store and make the backend, without connecting yet (`run` serves /healthz meanwhile). */
  static async create(opts: ControllerOptions): Promise<Controller> {
    const store = opts.store ?? (await openStore(opts.loaded, { log: opts.log, lockNode: true }));
    let controller: Controller | undefined;
    try {
      const backend = await (opts.makeBackend ?? defaultBackend)(opts.loaded.config, opts.log);
      controller = new Controller(opts, store, backend);
      // Availability, schedule overrides and the run-time block list are in memory before the first
      // call (a blocked caller is never let through at start): DND and the groups' history from the
      // store, device states from the PBX's events from here on.
      await controller.live.start();
      await controller.presence.start();
      backend.watchDevices?.(controller.devices);
      return controller;
    } catch (err) {
      // Not started: give the store (and, on PostgreSQL, the node name) back, so a retry can take it.
      await controller?.stopStarted();
      if (!opts.store) await store.close().catch(() => undefined);
      // PostgreSQL gone between the open and these reads: `run` waits for it like for a failed open.
      throw store.kind === 'postgres' && !store.health().up ? new SwitchboardError('STORE_UNREACHABLE', store.health().reason ?? 'PostgreSQL unreachable', {}, { cause: err }) : err;
    }
  }

  /**
   * Connect the backend and start taking calls. Resolves once connected (retrying until then), or
   * at once when stop() is called meanwhile.
   */
  async connect(): Promise<void> {
    const { backend, opts } = this;
    await backend.start((call) => this.handle(call), {
      connected: () => {
        this.outage.connected();
        void this.reconcile();
      },
      disconnected: () => this.outage.disconnected(),
    });
    if (this.stopped) return;
    // A backend that cannot look calls up again (FreeSWITCH: each call's socket died with the old
    // process, and its dialplan's fail-safe took over) closes what the last run left open.
    if (!backend.reconcile) await this.reconcile();
    opts.log.info({ backend: backend.kind, config: opts.loaded.file }, 'controller started');
  }

  /** Why this controller takes no calls for good (its ARI app taken over), or null. */
  refusingReason(): string | null {
    return this.backend.refusingReason?.() ?? null;
  }

  /** Why the PBX connection is down, or null while it is up. */
  disconnectedReason(): string | null {
    if (this.backend.isConnected()) return null;
    return this.backend.disconnectedReason?.() ?? 'PBX not connected';
  }

  get config(): Config {
    return this.loaded.config;
  }

  /** The config generation: 1 at start, +1 for every good reload. */
  get configGeneration(): number {
    return this.generation;
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.sessions.size;
  }

  /**
   * Re-read the config file. A good one is swapped in at once for new calls (calls in progress keep
   * the config they started with); a bad one throws ConfigError and the last good config stays.
   * One that removes more than half of the numbers or users at once throws ReloadRefusedError
   * unless `force` (SIGHUP): a watcher may have read a half-written file.
   */
  async reload(env: NodeJS.ProcessEnv = process.env, opts: { force?: boolean } = {}): Promise<LoadedConfig> {
    // Off the main thread: parsing a large config must not hold up the calls being handled.
    const next = await loadConfigOffThread(this.loaded.file, env);
    if (routesNothing(next.config)) throw new ReloadRefusedError(this.loaded.file, ROUTES_NOTHING);
    const shrink = suspiciousShrink(this.loaded.config, next.config);
    if (shrink && !opts.force) throw new ReloadRefusedError(this.loaded.file, shrink);
    if (shrink) this.opts.log.warn({ reason: shrink }, 'config reload forced: applying a config that removes more than half of the numbers or users');
    this.useConfig(next);
    this.backend.updateConfig(next.config);
    if (next.config.backend !== this.backend.kind) {
      this.opts.log.warn({ running: this.backend.kind, configured: next.config.backend }, 'backend changed in the config: it takes effect at the next restart');
    }
    void this.refreshContacts();
    this.generation++;
    this.opts.log.info({ generation: this.generation }, 'config reloaded');
    return next;
  }

  /**
   * Settle what the PBX holds against what we track (after every (re)connect; once at start for
   * backends without reconcile). Runs one at a time. Resumed calls count as calls in progress.
   */
  reconcile(): Promise<void> {
    // After stop() the store is closed: a late (re)connect must not touch it.
    if (this.stopped) return this.reconciling;
    this.reconciling = this.reconciling.then(() => (this.stopped ? undefined : this.reconcileOnce())).catch((err) => {
      this.opts.log.error({ err: (err as Error).message }, 'reconcile failed; will retry on the next reconnect');
    });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const deps = { calls: this.store.calls, log: this.opts.log };
    const stored = new Map<string, StoredCall>();
    for (const { id, state } of await this.store.calls.listStates()) stored.set(id, state as StoredCall);
    const active = new Set(this.sessions.keys());
    if (!this.backend.reconcile) {
      for (const s of stored.values()) if (!active.has(s.id)) await closeLostCall(s, deps);
      return;
    }
    const result = await this.backend.reconcile({ active, stored });
    for (const { stored: s, control, answeredBy } of result.resumed) {
      this.track(s.id, resumeCall(control, s, deps, answeredBy).finally(() => control.dispose()));
    }
    for (const s of result.gone) await closeLostCall(s, deps);
    if (result.resumed.length || result.gone.length || result.cleaned.length) {
      this.opts.log.info({ resumed: result.resumed.length, gone: result.gone.length, cleaned: result.cleaned.length }, 'reconciled with the PBX');
    }
  }

  private track(id: string, work: Promise<unknown>): Promise<void> {
    this.sessions.set(id, work);
    return work.then(
      () => void this.sessions.delete(id),
      () => void this.sessions.delete(id),
    );
  }

  /** Bring the in-memory contact owners in step with the store now (it also syncs every second). */
  refreshContacts(): Promise<void> {
    return this.owners.syncNow();
  }

  private useConfig(loaded: LoadedConfig): void {
    const { config } = loaded;
    this.loaded = loaded;
    this.callDeps = {
      config,
      crm: config.contacts.lookup ? createCrmLookup(config.contacts.lookup, this.opts.log) : undefined,
      users: new Set(config.users.map((u) => u.id)),
    };
  }

  private handle(call: CallControl): Promise<void> {
    const { config, crm, users } = this.callDeps; // the snapshot this call keeps to its end
    const session = runCall(call, {
      config,
      backend: this.backend.kind,
      lookupContact: (phone) => resolveContact({ store: this.store, crm, users, index: this.owners, log: this.opts.log }, phone),
      // The label's contact name costs a store read, so only for callers the owner index knows:
      // an unknown caller (the common case) keeps the in-memory fast path.
      lookupContactName: async (phone) => (this.owners.ownerOf(phone) === null ? null : (await this.store.contacts.get(phone))?.name || null),
      blockList: () => this.live.blockList(config.blocked),
      overrides: () => this.live.overrides,
      cursors: this.store.cursors,
      calls: this.store.calls,
      log: this.opts.log,
      observer: this.observer,
      drainDeadline: this.drainDeadline.signal,
      pbxLost: this.outage.signal,
      ...(this.backend.toFailsafe ? { toFailsafe: () => this.backend.toFailsafe!(call.info.channelId) } : {}),
      presence: this.presence,
    });
    return this.track(call.info.channelId, session);
  }

  /** Undo what the constructor started (timers and pollers), for a create() that failed after it. */
  private async stopStarted(): Promise<void> {
    this.stopped = true;
    this.outage.stop();
    await this.owners.stop().catch(() => undefined);
    await this.retention.stop().catch(() => undefined);
    await this.live.stop().catch(() => undefined);
  }

  /** Stop: take no new calls, let calls in progress finish (up to drainMs), then disconnect. */
  async stop(drainMs = 30_000): Promise<{ drained: boolean }> {
    this.backend.stopAccepting();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.allSettled([...this.sessions.values()]).then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), drainMs))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      // Nobody handles a ringing caller once we exit: hand those to the fail-safe route and close
      // their rows; bridged calls and voicemail go on without us, for the next run to finish.
      this.drainDeadline.abort();
      await Promise.race([Promise.allSettled([...this.sessions.values()]), new Promise((r) => (timer = setTimeout(r, HANDOFF_MS)))]);
      clearTimeout(timer);
    }
    this.stopped = true;
    this.outage.stop();
    await this.backend.stop();
    await this.reconciling; // one in flight finishes before the store closes
    await this.owners.stop();
    await this.retention.stop();
    await this.live.stop();
    if (this.ownsStore) await this.store.close();
    this.opts.log.info({ drained }, 'controller stopped');
    return { drained };
  }
}

/** One observer that forwards to several. */
function combineObservers(list: (CallObserver | undefined)[]): CallObserver {
  const all = list.filter((o): o is CallObserver => o !== undefined);
  return {
    callStarted: (r) => all.forEach((o) => o.callStarted?.(r)),
    routePlanned: (p) => all.forEach((o) => o.routePlanned?.(p)),
    setupLatency: (ms) => all.forEach((o) => o.setupLatency?.(ms)),
    attemptStarted: (r, legs) => all.forEach((o) => o.attemptStarted?.(r, legs)),
    legEnded: (l) => all.forEach((o) => o.legEnded?.(l)),
    passedOver: (p) => all.forEach((o) => o.passedOver?.(p)),
    callEnded: (r) => all.forEach((o) => o.callEnded?.(r)),
  };
}
