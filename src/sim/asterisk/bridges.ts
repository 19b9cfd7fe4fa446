/** The simulated ARI bridge (only `mixing` behaviour matters for a call-routing controller). */
import { randomUUID } from 'node:crypto';
import { ariTimestamp } from './clock.js';
import type { BridgeJson } from './types.js';

/** One simulated bridge. */
export class SimBridge {
  readonly channels: string[] = [];
  /** Apps that receive this bridge's events: those whose Stasis channel entered it. */
  readonly subs = new Set<string>();
  readonly creationtime = ariTimestamp();

  constructor(
    readonly id: string = randomUUID(),
    readonly type: string = 'mixing',
    readonly name: string = '',
  ) {}

  /** ARI `Bridge` JSON as of now. */
  toJson(): BridgeJson {
    // A mixing bridge with at most two channels runs as `simple_bridge` in Asterisk.
    const technology = this.type.includes('holding') ? 'holding_bridge' : this.channels.length > 2 ? 'softmix' : 'simple_bridge';
    return {
      id: this.id,
      technology,
      bridge_type: this.type.includes('holding') ? 'holding' : 'mixing',
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: this.name,
      channels: [...this.channels],
      creationtime: this.creationtime,
      video_mode: 'talker',
    };
  }
}

/** Bridge types ARI accepts in `POST /bridges?type=` (comma-separated). */
export const BRIDGE_TYPES = new Set(['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label']);
