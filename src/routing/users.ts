/**
 * Users as the planner sees them: can she be rung, and which devices ring when she is.
 * Pure: reads only the validated config.
 */
import { DEVICES, type Config, type User, type UserDevice } from '../config/schema.js';
import type { Member, Target } from './plan.js';

/** The reason words of spec sections 5 and 6: a user with no device in her ring list. */
export const NO_DEVICE = 'no device';
/** A contact owner (from the store or the CRM) who is not, or no longer, a user in the config. */
export const NOT_A_USER = 'not a user in the config';

/** Either a user who can be rung (with her targets) or why she cannot. */
export type Ringability = { ok: true; member: Member; user: User } | { ok: false; reason: string };

/** The target for one of a user's devices, or null when that device is not configured. */
function deviceTarget(user: User, device: UserDevice): Target | null {
  switch (device) {
    case 'desk': {
      // The desk endpoint is named after the extension unless `desk` says otherwise; with
      // neither she has no desk phone (a mobile-only user, or one with no device yet).
      const endpoint = deskEndpoint(user);
      return endpoint === undefined ? null : { device: 'desk', endpoint };
    }
    case 'app':
      return user.app ? { device: 'app', endpoint: user.app } : null;
    case 'mobile':
      return user.mobile ? { device: 'mobile', number: user.mobile } : null;
  }
}

/**
 * The devices rung when a user is called: her `ring` list (default: every device she has),
 * always in the order desk, app, mobile, so that plans are stable whatever order the admin wrote.
 */
export function userTargets(user: User): Target[] {
  const wanted = user.ring ?? DEVICES;
  const targets: Target[] = [];
  for (const device of DEVICES) {
    if (!wanted.includes(device)) continue;
    const t = deviceTarget(user, device);
    if (t) targets.push(t);
  }
  return targets;
}

/** Her desk endpoint: `desk`, else her `extension`, else none. */
export function deskEndpoint(user: User): string | undefined {
  return user.desk ?? user.extension;
}

/** Find a user by id. */
export function findUser(config: Config, id: string): User | undefined {
  return config.users.find((u) => u.id === id);
}

/** Can this user be rung (spec: at least one device in her ring list is configured)? */
export function ringability(config: Config, id: string): Ringability {
  const user = findUser(config, id);
  if (!user) return { ok: false, reason: NOT_A_USER };
  const targets = userTargets(user);
  if (targets.length === 0) return { ok: false, reason: NO_DEVICE };
  return { ok: true, member: { user: user.id, targets }, user };
}

/** The user's mailbox: `voicemail`, else her extension, else none (the company mailbox takes over). */
export function userMailbox(user: User): string | undefined {
  return user.voicemail ?? user.extension;
}

/** Every desk and softphone endpoint of the config's users. */
export function configuredEndpoints(config: Pick<Config, 'users'>): string[] {
  const out = new Set<string>();
  for (const u of config.users) {
    const desk = deskEndpoint(u);
    if (desk) out.add(desk);
    if (u.app) out.add(u.app);
  }
  return [...out];
}
