/**
 * The configuration of a test Asterisk, generated into its temporary folder. The project's shipped
 * files (dialplan/asterisk/) are used the way docs/asterisk.md tells an admin to: the dialplan and
 * its globals copied and `#include`d, ari.conf and http.conf taken with the password and port
 * changed, voicemail.conf as it is. What is the test's own: asterisk.conf (every folder moved
 * into the instance folder), modules.conf, logger.conf, the PJSIP transport, trunk and phones on
 * loopback, and the test devices (Local channels) whose behaviour a test sets at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/shared.js';
import type { AsteriskInstall } from '../support/locate.js';

export const SHIPPED_DIR = join(REPO_ROOT, 'dialplan/asterisk');
const shipped = (name: string): string => readFileSync(join(SHIPPED_DIR, name), 'utf8');

export interface InstanceLayout {
  dir: string;
  httpPort: number;
  sipPort: number;
  /** Where the trunk's AOR points: the SIP carrier's UAS (SIPp) for calls out of Asterisk. */
  carrierPort: number;
  /** The port the SIP carrier's UAC sends its INVITEs from: the trunk is identified by it. */
  carrierSourcePort: number;
  ariPassword: string;
  /** Desk phones that register over real SIP: extension -> digest password. */
  sipPhones: Record<string, string>;
  /** More dialplan contexts, appended (the Docker harness's outside numbers, for one). */
  extraDialplan: string;
}

/** Channel drivers and modules that would open public ports, read databases, or load samples. */
const NOLOAD = [
  'chan_iax2', 'chan_unistim', 'chan_skinny', 'chan_mgcp', 'chan_motif', 'chan_console', 'chan_alsa', 'chan_oss',
  'pbx_dundi', 'pbx_ael', 'pbx_lua', 'res_xmpp', 'res_phoneprov', 'res_pjsip_phoneprov_provider', 'res_hep',
  'res_hep_pjsip', 'res_hep_rtcp', 'res_smdi', 'res_snmp', 'res_statsd', 'res_config_ldap', 'res_config_pgsql',
  'res_config_odbc', 'res_config_sqlite3', 'res_config_mysql', 'res_odbc', 'res_calendar', 'cdr_sqlite3_custom',
  'cdr_pgsql', 'cdr_odbc', 'cdr_adaptive_odbc', 'cdr_tds', 'cdr_radius', 'cel_sqlite3_custom', 'cel_pgsql',
  'cel_odbc', 'cel_tds', 'cel_radius', 'res_pjsip_config_wizard', 'res_stir_shaken', 'res_prometheus',
];

export function asteriskConf(l: InstanceLayout, install: AsteriskInstall): string {
  const d = (sub: string) => join(l.dir, sub);
  return `[directories]
astetcdir => ${d('etc')}
astmoddir => ${install.modules}
astvarlibdir => ${d('lib')}
astdbdir => ${d('lib')}
astkeydir => ${d('lib')}
astdatadir => ${install.data}
astagidir => ${d('agi')}
astspooldir => ${d('spool')}
astrundir => ${d('run')}
astlogdir => ${d('log')}

[options]
; No "-vvv" on a console nobody reads: the log file has the call flow.
verbose = 3
documentation_language = en_US
hideconnect = yes
defaultlanguage = en
; Quick shutdown on SIGTERM: the test is over.
`;
}

export function modulesConf(): string {
  return ['[modules]', 'autoload = yes', ...NOLOAD.map((m) => `noload => ${m}.so`), ''].join('\n');
}

export function loggerConf(): string {
  return `[general]
dateformat = %F %T.%3q
[logfiles]
messages.log => notice,warning,error,verbose(3)
`;
}

/** The shipped http.conf with this instance's port (an admin keeps bindaddr 127.0.0.1). */
export function httpConf(l: InstanceLayout): string {
  const text = shipped('http.conf');
  if (!/^bindport\s*=\s*8088\s*$/m.test(text)) throw new Error('shipped http.conf: no "bindport = 8088" line to replace');
  return text.replace(/^bindport\s*=\s*8088\s*$/m, `bindport = ${l.httpPort}`);
}

/** The shipped ari.conf with its placeholder replaced by this instance's random password. */
export function ariConf(l: InstanceLayout): string {
  const text = shipped('ari.conf');
  if (!text.includes('CHANGE-ME-to-a-long-random-secret')) throw new Error('shipped ari.conf: password placeholder not found');
  return text.replace('CHANGE-ME-to-a-long-random-secret', l.ariPassword);
}

/** The Stasis app the test harness observes every channel, bridge, endpoint and device with. */
export const OBSERVER_APP = 'sb-observer';

/**
 * The test devices: a phone is `Local/<ext>@sb-test-phones`, an outside number
 * `Local/<E.164>@sb-test-carrier`. Each reads its behaviour from a global variable the test
 * sets over ARI (SBPHONE_<ext>, SBNUM_<digits>): "<kind>-<seconds before>-<talk seconds>", and for
 * an answer "-<key>-<seconds after the answer>" ("none-0": no key), the press-1 confirmation.
 * No behaviour set: unreachable, as the simulator's devices are.
 */
export function extensionsConf(extra = ''): string {
  return `[general]
static = yes
writeprotect = yes

[globals]
#include "switchboard_globals.conf"

[sb-test-phones]
exten => _X.,1,Set(SB_B=\${SBPHONE_\${EXTEN}})
 same => n,Goto(sb-test-device,\${IF($["\${SB_B}" = ""]?unreachable:\${CUT(SB_B,-,1)})},1)

[sb-test-carrier]
exten => _+X.,1,Set(SB_B=\${SBNUM_\${FILTER(0-9,\${EXTEN})}})
 same => n,Goto(sb-test-device,\${IF($["\${SB_B}" = ""]?unreachable:\${CUT(SB_B,-,1)})},1)

; The ;2 half of a test device's Local channel: what the phone does when it is rung.
[sb-test-device]
exten => answer,1,Ringing()
 same => n,Wait(\${CUT(SB_B,-,2)})
 same => n,Answer()
 same => n,Set(SB_KEY=\${CUT(SB_B,-,4)})
 same => n,GotoIf($["\${SB_KEY}" = "" | "\${SB_KEY}" = "none"]?talk)
 same => n,Wait(\${CUT(SB_B,-,5)})
 same => n,SendDTMF(\${SB_KEY})
 same => n(talk),GotoIf($[0\${CUT(SB_B,-,3)} > 0]?hangs-up)
 same => n,Wait(3600)
 same => n,Hangup(16)
 same => n(hangs-up),Wait(\${CUT(SB_B,-,3)})
 same => n,Hangup(16)
exten => noanswer,1,Ringing()
 same => n,Wait(3600)
exten => dead-contact,1,Wait(3600)
; A SIP phone's 486 / 603 / 503 end the call with that cause (trace p); Busy() and
; Congestion() would only indicate it and leave the ;1 half with cause 0.
exten => busy,1,Wait(\${CUT(SB_B,-,2)})
 same => n,Hangup(17)
exten => rejected,1,Wait(\${CUT(SB_B,-,2)})
 same => n,Hangup(21)
exten => congestion,1,Wait(\${CUT(SB_B,-,2)})
 same => n,Hangup(34)
exten => unreachable,1,Hangup(20)

; A carrier that restricts the caller's presentation (Privacy: id), then delivers to the trunk context.
[sb-test-hidden]
exten => _X.,1,Set(CALLERID(pres)=prohib_passed_screen)
 same => n,Goto(from-trunk,\${EXTEN},1)
exten => _+X.,1,Set(CALLERID(pres)=prohib_passed_screen)
 same => n,Goto(from-trunk,\${EXTEN},1)

; The PSTN caller (the ;1 half of an inbound Local call): talks once the call is answered.
[sim-caller]
exten => talk,1,Playback(demo-congrats)
 same => n(loop),Playback(tt-monkeys)
 same => n,Goto(loop)
exten => quiet,1,Wait(3600)

${extra}
#include "extensions_switchboard.conf"
`;
}

/** PJSIP on loopback: one UDP transport, the carrier trunk, and digest-registered desk phones. */
export function pjsipConf(l: InstanceLayout): string {
  const phones = Object.entries(l.sipPhones)
    .map(
      ([ext, pw]) => `
[${ext}](sb-phone)
auth = ${ext}
aors = ${ext}
callerid = "Phone ${ext}" <${ext}>
mailboxes = ${ext}@default
[${ext}]
type = auth
auth_type = userpass
username = ${ext}
password = ${pw}
[${ext}]
type = aor
max_contacts = 1
remove_existing = yes
`,
    )
    .join('');
  return `[global]
type = global
; As shipped: the carrier is recognised by its address first (here its port on loopback).
endpoint_identifier_order = ip,username,anonymous

[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:${l.sipPort}

[carrier]
type = endpoint
transport = transport-udp
context = from-trunk
aors = carrier
disallow = all
allow = ulaw,alaw
direct_media = no
media_address = 127.0.0.1
bind_rtp_to_media_address = yes
[carrier]
type = aor
contact = sip:127.0.0.1:${l.carrierPort}
[carrier]
type = identify
endpoint = carrier
match = 127.0.0.1:${l.carrierSourcePort},127.0.0.1:${l.carrierPort}

[sb-phone](!)
type = endpoint
transport = transport-udp
context = switchboard-phones
disallow = all
allow = ulaw,alaw
direct_media = no
media_address = 127.0.0.1
bind_rtp_to_media_address = yes
${phones}`;
}

/** Every file of the instance's etc folder. */
export function instanceFiles(l: InstanceLayout, install: AsteriskInstall): Record<string, string> {
  return {
    'asterisk.conf': asteriskConf(l, install),
    'modules.conf': modulesConf(),
    'logger.conf': loggerConf(),
    'http.conf': httpConf(l),
    'ari.conf': ariConf(l),
    'extensions.conf': extensionsConf(l.extraDialplan),
    'extensions_switchboard.conf': shipped('extensions_switchboard.conf'),
    'switchboard_globals.conf': shipped('switchboard_globals.conf'),
    'voicemail.conf': shipped('voicemail.conf'),
    'pjsip.conf': pjsipConf(l),
    'cdr.conf': '[general]\nenable = no\n',
    'rtp.conf': '[general]\nrtpstart = 20000\nrtpend = 29999\n',
    'musiconhold.conf': '[default]\nmode = files\ndirectory = moh\n',
  };
}
