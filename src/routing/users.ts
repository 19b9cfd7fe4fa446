/**
 * Users as the planner sees them: can she be rung, and which devices ring when she is.
 * Pure: reads only the validated config.
 */
import { DEVICES, type Config, type User, type UserDevice } from '../config/schema.js';
import type { Member, Target } from './plan.js';

/** Either a user who can be rung (with her targets) or why she cannot. */
export type Ringability = { ok: true; member: Member; user: User } | { ok: false; reason: string };

/** The target for one of a user's devices, or null when that device is not configured. */
function deviceTarget(user: User, device: UserDevice): Target | null {
  switch (device) {
    case 'desk':
      // The desk endpoint is named after the extension unless `desk` says otherwise.
      return { device: 'desk', endpoint: user.desk ?? user.extension };
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

/** Find a user by id. */
export function findUser(config: Config, id: string): User | undefined {
  return config.users.find((u) => u.id === id);
}

/** Can this user be rung (spec: at least one device in her ring list is configured)? */
export function ringability(config: Config, id: string): Ringability {
  const user = findUser(config, id);
  if (!user) return { ok: false, reason: 'not a user in the config' };
  const targets = userTargets(user);
  if (targets.length === 0) return { ok: false, reason: 'no device in the ring list is configured' };
  return { ok: true, member: { user: user.id, targets }, user };
}

/** The user's mailbox: `voicemail`, default her extension. */
export function userMailbox(user: User): string {
  return user.voicemail ?? user.extension;
}
