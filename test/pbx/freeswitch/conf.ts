/**
 * The configuration of one test FreeSWITCH: the installed vanilla config, trimmed as
 * ../shared/pbx-src/README.md says (no STUN, loopback only, PCMU/PCMA, no external profiles, only
 * the modules we build), plus what an admin adds for Switchboard: the shipped
 * dialplan/freeswitch/ files (ports and password filled in), the company mailbox user, and the
 * test phones' context.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ConfOptions {
  /** The installed config to start from (PREFIX/etc/freeswitch). */
  from: string;
  to: string;
  repo: string;
  eslPort: number;
  eslPassword: string;
  sipPort: number;
  /** Where the shipped `socket` application connects (the controller's listener). */
  socketPort: number;
  /** Directory users to add beside the vanilla 1000-1019 (the company mailbox). */
  extraUsers: string[];
  /** Password of every directory user (vanilla's default_password). */
  userPassword: string;
  /** voicemail max-record-len in seconds: a message ends by itself after that long. */
  maxRecordSeconds: number;
  /**
   * Several registrations per user (sofia internal profile and core `multiple-registrations`, as
   * an admin with two phones per user sets them); default: vanilla, one registration per user.
   */
  multipleRegistrations?: boolean;
  /** Extra files to write under the config folder (relative path -> content). */
  extraFiles?: Record<string, string>;
}

/** The modules scripts/pbx/freeswitch.sh builds, in load order. */
const MODULES = [
  'mod_console', 'mod_logfile', 'mod_event_socket', 'mod_sofia', 'mod_loopback', 'mod_commands',
  'mod_dptools', 'mod_dialplan_xml', 'mod_voicemail', 'mod_db', 'mod_hash', 'mod_expr', 'mod_sndfile',
  'mod_native_file', 'mod_tone_stream', 'mod_say_en',
];

function edit(file: string, fn: (s: string) => string): void {
  const before = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, fn(before));
}

function mustReplace(s: string, re: RegExp, by: string, what: string): string {
  if (!re.test(s)) throw new Error(`FreeSWITCH test config: ${what} not found (vanilla config changed?)`);
  return s.replace(re, by);
}

export function writeConf(o: ConfOptions): void {
  fs.cpSync(o.from, o.to, { recursive: true, filter: (src) => path.basename(src) !== 'vanilla' });
  const c = (p: string) => path.join(o.to, p);

  edit(c('vars.xml'), (s) => {
    // STUN look-ups are unreachable here and slow to fail: fixed loopback addresses instead.
    s = s.replace(/cmd="stun-set" data="(external_(?:rtp|sip)_ip)=[^"]*"/g, 'cmd="set" data="$1=127.0.0.1"');
    s = mustReplace(s, /data="domain=\$\$\{local_ip_v4\}"/, 'data="domain=127.0.0.1"', 'domain');
    s = s.replace(/data="(global|outbound)_codec_prefs=[^"]*"/g, 'data="$1_codec_prefs=PCMU,PCMA"');
    s = mustReplace(s, /data="internal_sip_port=\d+"/, `data="internal_sip_port=${o.sipPort}"`, 'internal_sip_port');
    s = mustReplace(s, /data="default_password=[^"]*"/, `data="default_password=${o.userPassword}"`, 'default_password');
    // local_ip_v4 is detected from the interfaces; pin it before anything uses it.
    // skip_record_check / skip_record_urgent_check: after the message, mod_voicemail's menus ("1 to listen", "mark urgent")
    // waits 3 x 10 s for a key nobody presses here; channels read a missing variable from globals.
    return s.replace('<include>', '<include>\n  <X-PRE-PROCESS cmd="set" data="local_ip_v4=127.0.0.1"/>\n  <X-PRE-PROCESS cmd="set" data="skip_record_check=true"/>\n  <X-PRE-PROCESS cmd="set" data="skip_record_urgent_check=true"/>');
  });

  fs.writeFileSync(
    c('autoload_configs/modules.conf.xml'),
    `<configuration name="modules.conf" description="Modules">\n  <modules>\n${MODULES.map((m) => `    <load module="${m}"/>`).join('\n')}\n  </modules>\n</configuration>\n`,
  );
  // The stock throttle (30 new sessions a second) would spread the suite's burst of 60 callers
  // (120 loopback sessions, then their legs) over seconds and make FreeSWITCH refuse some
  // ("Throttle Error!"); a site sizes this for its trunks, the tests for their bursts.
  edit(c('autoload_configs/switch.conf.xml'), (s) =>
    mustReplace(s, /<param name="sessions-per-second" value="\d+"\/>/, '<param name="sessions-per-second" value="1000"/>', 'sessions-per-second'),
  );
  edit(c('autoload_configs/voicemail.conf.xml'), (s) =>
    mustReplace(s, /<param name="max-record-len" value="\d+"\/>/, `<param name="max-record-len" value="${o.maxRecordSeconds}"/>`, 'max-record-len'),
  );

  // The shipped event socket config, as the dialplan README says: copied, password and port set.
  const esl = fs.readFileSync(path.join(o.repo, 'dialplan/freeswitch/event_socket.conf.xml'), 'utf8');
  fs.writeFileSync(
    c('autoload_configs/event_socket.conf.xml'),
    mustReplace(mustReplace(esl, /value="change-me"/, `value="${o.eslPassword}"`, 'ESL password'), /name="listen-port" value="8021"/, `name="listen-port" value="${o.eslPort}"`, 'ESL port'),
  );

  // SIP: only the internal profile, on loopback, no WebSocket bindings.
  for (const p of ['external.xml', 'external-ipv6.xml', 'internal-ipv6.xml']) fs.rmSync(c(`sip_profiles/${p}`), { force: true });
  fs.rmSync(c('sip_profiles/external'), { recursive: true, force: true });
  fs.rmSync(c('sip_profiles/external-ipv6'), { recursive: true, force: true });
  edit(c('sip_profiles/internal.xml'), (s) => {
    s = s.replace(/\s*<param name="wss?-binding"[^>]*\/>/g, '');
    if (!o.multipleRegistrations) return s;
    return mustReplace(s, /<!--<param name="multiple-registrations" value="contact"\/>-->/, '<param name="multiple-registrations" value="true"/>', 'multiple-registrations (internal profile)');
  });
  // The core table `show registrations` reads keeps one row per user unless told otherwise too.
  if (o.multipleRegistrations) {
    edit(c('autoload_configs/switch.conf.xml'), (s) =>
      mustReplace(s, /<!-- <param name="multiple-registrations" value="true"\/> -->/, '<param name="multiple-registrations" value="true"/>', 'multiple-registrations (switch.conf)'),
    );
  }

  // The shipped dialplan, in the context the trunk delivers to, the socket pointed at the controller.
  const sb = fs.readFileSync(path.join(o.repo, 'dialplan/freeswitch/switchboard.xml'), 'utf8');
  fs.writeFileSync(c('dialplan/public/50_switchboard.xml'), mustReplace(sb, /127\.0\.0\.1:8040/g, `127.0.0.1:${o.socketPort}`, 'socket address'));

  const template = fs.readFileSync(c('directory/default/1000.xml'), 'utf8');
  for (const u of o.extraUsers) fs.writeFileSync(c(`directory/default/${u}.xml`), template.replace(/"1000"/g, `"${u}"`));

  for (const [rel, content] of Object.entries(o.extraFiles ?? {})) {
    fs.mkdirSync(path.dirname(c(rel)), { recursive: true });
    fs.writeFileSync(c(rel), content);
  }
}
