/**
 * Who owns a caller: the local contact store first, then the CRM. What comes out is the
 * planner's ContactRef, or null for an unknown caller; this never throws.
 */
import type { ContactRef } from '../routing/plan.js';
import type { SwitchboardStore as Store } from '../runtime/store.js';

/** What resolving needs; `users` holds the configured user ids (a Map keyed by id works too). */
export interface ResolveDeps {
  store: Pick<Store, 'contacts'>;
  crm?: (phone: string) => Promise<string | null>;
  users: ReadonlyMap<string, unknown> | ReadonlySet<string>;
  log?: { warn(obj: object, msg: string): void };
  /** The in-memory owner index; `undefined` from it (not loaded yet) means: ask the store. */
  index?: { ownerOf(phone: string): string | null | undefined };
}

/** The caller's contact and owner (local store, then CRM), or null for withheld / unknown / unroutable. */
export async function resolveContact(deps: ResolveDeps, phone: string | null): Promise<ContactRef | null> {
  if (phone === null) return null;
  let owner: string | null = null;
  const indexed = deps.index?.ownerOf(phone);
  try {
    owner = indexed !== undefined ? indexed : ((await deps.store.contacts.get(phone))?.owner ?? null);
  } catch (err) {
    // A store failure must not drop the call: route it as an unknown caller.
    deps.log?.warn({ phone, err: (err as Error)?.message ?? String(err) }, 'contact look-up failed; trying the CRM');
  }
  let source = 'contact store';
  if (owner === null && deps.crm) {
    source = 'CRM';
    try {
      owner = await deps.crm(phone);
    } catch (err) {
      deps.log?.warn({ phone, err: (err as Error)?.message ?? String(err) }, 'CRM look-up failed');
      owner = null;
    }
  }
  if (owner === null) return null;
  if (!deps.users.has(owner)) {
    deps.log?.warn({ phone, owner, source }, 'contact owner is not a configured user; treating the caller as unknown');
    return null;
  }
  return { phone, owner };
}
