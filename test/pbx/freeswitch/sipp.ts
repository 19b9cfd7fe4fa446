/**
 * SIPp (Debian's sip-tester) as real SIP endpoints on loopback: desk phones that REGISTER with
 * digest authentication and then answer, are busy (486), decline (603) or never answer; and a
 * carrier that sends an INVITE into a sofia profile, waits for the answer, talks, sends BYE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort as freeUdpPort } from './instance.js';

export type PhoneMode = 'answer' | 'busy' | 'decline' | 'noanswer' | 'answer-late';

const SDP = `v=0
o=sipp 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
`;

/**
 * An answer for an offer that came from a loopback caller: FreeSWITCH then offers only the
 * caller's L16 (and telephone-event 101, for RFC 2833 keys), which PCMU alone cannot answer
 * (INCOMPATIBLE_DESTINATION, seen on the real 1.10.12).
 */
const SDP_L16 = `v=0
o=sipp 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio [media_port] RTP/AVP 102 101
a=rtpmap:102 L16/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`;

const reply = (code: string, body: boolean | string = false): string => `  <send><![CDATA[
SIP/2.0 ${code}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
${body ? `Content-Type: application/sdp\nContent-Length: [len]\n\n${body === true ? SDP : body}` : 'Content-Length: 0\n'}
]]></send>`;

function register(user: string, expires = 3600, contactPort = '[local_port]'): string {
  const req = (cseq: number, auth: boolean) => `  <send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${user}@127.0.0.1>;tag=[pid]SIPpTag00[call_number]
To: <sip:${user}@127.0.0.1>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${user}@[local_ip]:${contactPort}>
Expires: ${expires}
Max-Forwards: 70
${auth ? '[authentication]\n' : ''}Content-Length: 0

]]></send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register ${user}">
${req(1, false)}
  <recv response="401" auth="true"/>
${req(2, true)}
  <recv response="200"/>
</scenario>
`;
}

/**
 * `callId`: the phone's own Call-ID, the same in every REGISTER it sends (as a real phone keeps
 * it); SIPp matches replies by Call-ID, so it is set with -cid_str, not in the scenario.
 * Default: a fresh one per run.
 */
const cid = (callId: string | undefined): string[] => (callId ? ['-cid_str', callId] : []);

/** The phone's side of one incoming call (a UAS scenario), looping for every call. */
function uas(mode: PhoneMode): string {
  const invite = '  <recv request="INVITE"/>';
  const steps: Record<PhoneMode, string> = {
    answer: `${invite}\n${reply('100 Trying')}\n${reply('180 Ringing')}\n  <pause milliseconds="200"/>\n${reply('200 OK', true)}\n  <recv request="ACK"/>\n  <recv request="BYE"/>\n${reply('200 OK')}`,
    'answer-late': `${invite}\n${reply('100 Trying')}\n${reply('180 Ringing')}\n  <pause milliseconds="3200"/>\n${reply('200 OK', SDP_L16)}\n  <recv request="ACK"/>\n  <recv request="BYE"/>\n${reply('200 OK')}`,
    busy: `${invite}\n${reply('486 Busy Here')}\n  <recv request="ACK"/>`,
    decline: `${invite}\n${reply('603 Decline')}\n  <recv request="ACK"/>`,
    noanswer: `${invite}\n${reply('180 Ringing')}\n  <recv request="CANCEL"/>\n${reply('200 OK')}\n${reply('487 Request Terminated')}\n  <recv request="ACK"/>`,
  };
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="phone ${mode}">\n${steps[mode]}\n</scenario>\n`;
}

/** The carrier: INVITE with a PCMU offer, any provisional, 200, ACK, talk `talkMs`, BYE. */
function carrier(talkMs: number): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="carrier">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+12025550999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:+12025550999@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP}
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+12025550999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="${talkMs}"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+12025550999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
`;
}

/** Runs SIPp processes; every one is killed on `stop()` (each in its own process group). */
export class Sipp {
  private readonly procs = new Set<ChildProcess>();
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private write(name: string, xml: string): string {
    const f = path.join(this.dir, name);
    fs.writeFileSync(f, xml);
    return f;
  }

  /** Run sipp until it exits; resolves with its exit code (0: the scenario passed). */
  private run(args: string[], ms: number): Promise<number> {
    return new Promise((resolve) => {
      const p = this.start(args);
      const t = setTimeout(() => this.kill(p), ms);
      p.once('exit', (code) => {
        clearTimeout(t);
        resolve(code ?? -1);
      });
    });
  }

  private start(args: string[]): ChildProcess {
    const p = spawn('sipp', ['-nostdin', '-i', '127.0.0.1', '-trace_err', '-error_file', path.join(this.dir, `err-${this.procs.size}.log`), ...args], {
      cwd: this.dir,
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    this.procs.add(p);
    p.once('exit', () => this.procs.delete(p));
    return p;
  }

  private kill(p: ChildProcess): void {
    if (p.exitCode === null && p.pid) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  /** REGISTER `user` from 127.0.0.1:`port` with digest auth, then answer calls there as `mode`. */
  async phone(user: string, password: string, port: number, fsSipPort: number, mode: PhoneMode, callId?: string): Promise<void> {
    const reg = this.write(`register-${user}-${port}.xml`, register(user));
    const code = await this.run(['-sf', reg, '-m', '1', '-p', String(port), '-au', user, '-ap', password, ...cid(callId), '-timeout', '10s', `127.0.0.1:${fsSipPort}`], 15_000);
    if (code !== 0) throw new Error(`phone ${user}: REGISTER with digest auth failed (sipp exit ${code}; see ${this.dir})`);
    this.start(['-sf', this.write(`phone-${user}-${port}.xml`, uas(mode)), '-p', String(port)]);
  }

  /**
   * REGISTER `user` again from the port its phone listens on: `expires` 0 ends the registration
   * (the phone "unplugged"), anything else registers it again. The UAS keeps running.
   */
  async reRegister(user: string, password: string, port: number, fsSipPort: number, expires: number, callId?: string): Promise<void> {
    const reg = this.write(`register-${user}-${port}-${expires}.xml`, register(user, expires, String(port)));
    // The UAS owns `port`; a second sipp there cannot bind, so REGISTER from a fresh port with the
    // same Contact as the phone's (the Contact, not the source port, is what FreeSWITCH dials).
    const code = await this.run(['-sf', reg, '-m', '1', '-p', String(await freeUdpPort()), '-au', user, '-ap', password, ...cid(callId), '-timeout', '10s', `127.0.0.1:${fsSipPort}`], 15_000);
    if (code !== 0) throw new Error(`phone ${user}: REGISTER (expires ${expires}) failed (sipp exit ${code}; see ${this.dir})`);
  }

  /** The carrier calls `to` on the sofia profile at `profilePort`; resolves with sipp's exit code. */
  call(to: string, profilePort: number, localPort: number, talkMs: number, ms = 30_000): Promise<number> {
    const f = this.write(`carrier-${localPort}.xml`, carrier(talkMs));
    return this.run(['-sf', f, '-m', '1', '-p', String(localPort), '-s', to, '-timeout', `${Math.ceil(ms / 1000)}s`, `127.0.0.1:${profilePort}`], ms + 5000);
  }

  /**
   * An outside number at 127.0.0.1:`port` that answers every call 200 ms after the INVITE and then,
   * `pressAfterMs` later, presses `key` as RFC 2833 events (sip-tester's dtmf_2833_<key>.pcap,
   * sent to FreeSWITCH's RTP port from `mediaPort`); `key` null: it says nothing. Returns a stop.
   */
  mobile(port: number, mediaPort: number, key: string | null, pressAfterMs = 700): () => void {
    const press = key === null ? '' : `  <pause milliseconds="${pressAfterMs}"/>\n  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_${key}.pcap"/></action></nop>\n`;
    const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="mobile">\n  <recv request="INVITE"/>\n${reply('100 Trying')}\n${reply('180 Ringing')}\n  <pause milliseconds="200"/>\n${reply('200 OK', SDP_L16)}\n  <recv request="ACK"/>\n${press}  <recv request="BYE"/>\n${reply('200 OK')}\n</scenario>\n`;
    const p = this.start(['-sf', this.write(`mobile-${port}-${key ?? 'none'}.xml`, xml), '-p', String(port), '-mp', String(mediaPort)]);
    return () => this.kill(p);
  }

  stop(): void {
    for (const p of this.procs) this.kill(p);
  }
}

/** A sofia profile for the carrier: no authentication, calls go to the `public` context. */
export function carrierProfile(port: number): string {
  return `<profile name="carrier">
  <settings>
    <param name="context" value="public"/>
    <param name="dialplan" value="XML"/>
    <param name="sip-ip" value="127.0.0.1"/>
    <param name="rtp-ip" value="127.0.0.1"/>
    <param name="sip-port" value="${port}"/>
    <param name="auth-calls" value="false"/>
    <param name="accept-blind-reg" value="false"/>
    <param name="inbound-codec-prefs" value="PCMU,PCMA"/>
    <param name="outbound-codec-prefs" value="PCMU,PCMA"/>
    <param name="dtmf-type" value="rfc2833"/>
    <param name="manage-presence" value="false"/>
  </settings>
</profile>
`;
}
