/**
 * What one call session does at a stopping controller's drain deadline. Once the process exits
 * nobody handles a caller still ringing in our app, so it is handed to the PBX's fail-safe route
 * (company phone, then company mailbox) and its row closed; a bridged call or one in voicemail goes
 * on without us, so the session stops waiting and leaves the row and stored state open for the
 * next run to finish.
 */

/** Thrown inside a session left for the next run. */
export class Detached extends Error {}

export interface DrainDeps {
  deadline?: AbortSignal;
  /** Aborted when the PBX has been gone too long (src/runtime/pbx-outage.ts): the wait throws its reason. */
  pbxLost?: AbortSignal;
  toFailsafe?: () => Promise<void>;
  /** The session's state name right now. */
  state: () => string;
  warn: (obj: object, msg: string) => void;
}

export class DrainWatch {
  /** The caller was sent to the fail-safe route. */
  handedOff = false;
  private readonly detached: Promise<'detached'>;
  private detach: () => void = () => undefined;
  private readonly onAbort = () => void this.atDeadline();
  private readonly lost: Promise<never>;
  private onLost: () => void = () => undefined;

  constructor(private readonly deps: DrainDeps) {
    this.detached = new Promise((resolve) => (this.detach = () => resolve('detached')));
    deps.deadline?.addEventListener('abort', this.onAbort, { once: true });
    this.lost = new Promise<never>((_, reject) => {
      this.onLost = () => reject(deps.pbxLost?.reason);
      if (deps.pbxLost?.aborted) this.onLost();
      else deps.pbxLost?.addEventListener('abort', this.onLost, { once: true });
    });
    this.lost.catch(() => undefined); // seen by the race below, or by nobody
  }

  /** The session is over: the signals outlive every call, so their listeners must go. */
  close(): void {
    this.deps.deadline?.removeEventListener('abort', this.onAbort);
    this.deps.pbxLost?.removeEventListener('abort', this.onLost);
  }

  /**
   * `work`, unless the deadline detaches the session first (then throws Detached) or the PBX is
   * gone too long (then throws the outage's PbxLostError).
   */
  async unlessDetached<T>(work: Promise<T>): Promise<T> {
    const r = await Promise.race([work, this.detached, this.lost]);
    if (r === 'detached') throw new Detached('left to the next run');
    return r as T;
  }

  private async atDeadline(): Promise<void> {
    const state = this.deps.state();
    if (state === 'ended') return;
    if (state === 'bridged' || state === 'final' || !this.deps.toFailsafe) {
      this.deps.warn({ state }, 'drain deadline: leaving the call to the next run');
      return this.detach();
    }
    // Leaving our app ends the ring attempt as caller-gone; the session then closes the row.
    this.handedOff = true;
    this.deps.warn({ state }, 'drain deadline: sending the call to the fail-safe route');
    await this.deps.toFailsafe().catch((err) => this.deps.warn({ err: (err as Error).message }, 'fail-safe hand-off failed'));
  }
}
