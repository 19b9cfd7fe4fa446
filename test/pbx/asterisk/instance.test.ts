/** The instance helper itself: starts in a temp folder on free loopback ports, stops leaving nothing behind. */
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { AsteriskInstance } from './instance.js';

const asterisk = locateAsterisk();

describePbx('a real Asterisk instance for tests', asterisk, () => {
  if ('missing' in asterisk) return;

  it('given two instances at once, then each has its own folder, ports and password, loads the shipped dialplan, and stop() removes everything', async () => {
    const [a, b] = await Promise.all([AsteriskInstance.start(asterisk), AsteriskInstance.start(asterisk)]);
    try {
      expect(a.dir).not.toBe(b.dir);
      expect(a.layout.httpPort).not.toBe(b.layout.httpPort);
      expect(a.ariPassword).not.toBe(b.ariPassword);
      for (const inst of [a, b]) {
        const info = await inst.ari('GET', '/asterisk/info');
        expect(info.status).toBe(200);
        expect(info.body.system.version).toMatch(/^\d+\./);
        // The shipped contexts loaded (a missing #include would have stopped extensions.conf).
        for (const ctx of ['from-trunk', 'switchboard-failsafe', 'switchboard-voicemail', 'switchboard-phones']) {
          expect(await inst.cli(`dialplan show ${ctx}`)).toContain(`'${ctx}'`);
        }
        expect(await inst.cli('dialplan show globals')).toContain('SWITCHBOARD_COMPANY_MAILBOX=9000');
        expect(await inst.cli('pjsip show transports')).toContain(`127.0.0.1:${inst.sipPort}`);
        // HTTP on loopback only, with the shipped session limit.
        expect(await inst.cli('http show status')).toContain(`127.0.0.1:${inst.layout.httpPort}`);
      }
      // A wrong password is refused.
      const res = await fetch(`${a.ariUrl}/ari/asterisk/info`, { headers: { authorization: `Basic ${Buffer.from('switchboard:wrong').toString('base64')}` } });
      expect(res.status).toBe(401);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const inst of [a, b]) {
      expect(existsSync(inst.dir)).toBe(false);
      await expect(fetch(`${inst.ariUrl}/ari/asterisk/info`)).rejects.toThrow();
    }
  });
});
