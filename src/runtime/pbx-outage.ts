/**
 * Spec section 10: a controller whose PBX has been gone for 30 s closes its open calls in the log
 * as `failed`. Nothing else would: a bridged call waits for a hangup that a dead PBX never sends,
 * and behind a SIP proxy the carrier's calls on a dead node are lost with it (its BYE finds no
 * one). A PBX back within the 30 s is reconciled as after any reconnect (calls resumed or closed).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../log.js';
import { SwitchboardError } from '../errors.js';

/** The reason a session ends when its PBX is gone: the row's `detail`. */
export class PbxLostError extends SwitchboardError {
  constructor(afterMs: number) {
    const gone = afterMs >= 1000 ? `${Math.round(afterMs / 1000)} s` : `${afterMs} ms`;
    super('PBX_LOST', `the PBX was gone for ${gone}: call closed as failed`, { afterMs });
  }
}

/** Every call in progress listens on the signal (call/drain.ts): no listener cap, no false leak warning. */
function uncapped(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

export class PbxOutage {
  private ctl = uncapped();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: { afterMs: number; connected: () => boolean; log: Logger }) {}

  /** What a new call's session watches: aborted once the PBX has been gone `afterMs`. */
  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  /** The PBX connection is down (again): the clock starts at the first loss, not at every retry. */
  disconnected(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.opts.connected()) return;
      this.opts.log.error({ afterMs: this.opts.afterMs }, 'PBX gone: closing the calls in progress as failed');
      this.ctl.abort(new PbxLostError(this.opts.afterMs));
    }, this.opts.afterMs);
    this.timer.unref?.();
  }

  /** Connected again: the clock stops; calls from now on get a fresh signal. */
  connected(): void {
    this.stop();
    if (this.ctl.signal.aborted) this.ctl = uncapped();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
