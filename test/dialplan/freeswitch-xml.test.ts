import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';
import { SHIPPED_BEFORE_SOCKET } from '../../src/sim/freeswitch/simulator.js';

const xml = readFileSync(join(REPO_ROOT, 'dialplan/freeswitch/switchboard.xml'), 'utf8');
const actions = [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<action application="([^"]+)" data="([^"]*)"\/>/g)].map((m) => ({ app: m[1]!, data: m[2]! }));

describe('dialplan/freeswitch/switchboard.xml', () => {
  it('given the shipped file, then the actions before socket set exactly what the ESL simulator imitates', () => {
    const socketAt = actions.findIndex((a) => a.app === 'socket');
    expect(socketAt).toBeGreaterThan(0);
    const sets = Object.fromEntries(actions.slice(0, socketAt).filter((a) => a.app === 'set').map((a) => a.data.split('=') as [string, string]));
    expect(sets).toEqual(SHIPPED_BEFORE_SOCKET);
    // Nothing else runs before socket: every action there delays every call.
    expect(actions.slice(0, socketAt).every((a) => a.app === 'set')).toBe(true);
  });
});
