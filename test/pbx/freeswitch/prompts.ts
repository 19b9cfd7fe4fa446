/**
 * Placeholder prompts: no FreeSWITCH sound files are installed here, and mod_voicemail aborts on
 * the first missing prompt (it says goodbye and records nothing). Every file the voicemail phrases
 * and mod_say_en can ask for becomes 0.2 s of a quiet 8 kHz tone.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The vm-*.wav names used by mod_voicemail.c and lang/en/vm/*.xml of 1.10.12 (a superset is harmless). */
const VOICEMAIL = `abort advanced change_password choose_greeting choose_greeting_choose choose_greeting_fail continue
delete_recording enter_id enter_pass fail_auth followed_by for_next_msg forward_add_intro forward_enter_ext
forward_to_email goodbye greeting hello listen_new listen_saved listen_to_recording mailbox_full main_menu
mark-urgent message message_from message_number messages new not_available password_has_been_changed
password_not_valid person press record_greeting record_message record_name1 record_name2 rerecord return_call
save_recording saved selected send_message_now that_was_an_invalid_ext to_exit to_forward to_record_greeting
too-small urgent-new you_have urgent deleted emailed from_email has_been_changed_to received
tutorial_change_pin`.split(/\s+/);

/** What mod_say_en plays for numbers, times and spelled names. */
function sayFiles(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 100; i++) out.push(`digits/${i}.wav`, `digits/h-${i}.wav`);
  out.push('digits/hundred.wav', 'digits/thousand.wav', 'digits/million.wav', 'digits/dot.wav');
  for (let c = 32; c < 127; c++) out.push(`ascii/${c}.wav`);
  for (const t of ['at', 'hour', 'hours', 'minute', 'minutes', 'second', 'seconds', 'oclock', 'oh', 'today', 'yesterday', 'a-m', 'p-m']) out.push(`time/${t}.wav`);
  for (let i = 0; i < 12; i++) out.push(`time/mon-${i}.wav`);
  for (let i = 0; i < 7; i++) out.push(`time/day-${i}.wav`);
  return out;
}

/** A mono 16-bit 8 kHz WAV of `ms` of a 400 Hz tone at low volume. */
export function toneWav(ms = 200, hz = 400): Buffer {
  const rate = 8000;
  const n = Math.round((rate * ms) / 1000);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  return b;
}

/** Write the placeholders under `soundPrefix` (the vanilla sound_prefix: SOUNDS/en/us/callie). */
export function writePrompts(soundPrefix: string): number {
  const wav = toneWav();
  const files = [...VOICEMAIL.map((v) => `voicemail/vm-${v}.wav`), ...sayFiles(), 'ivr/ivr-anonymous_caller.wav'];
  for (const f of files) {
    const p = path.join(soundPrefix, f);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, wav);
  }
  return files.length;
}

/** Length in seconds of a PCM WAV file (voicemail messages), from its header. */
export function wavSeconds(file: string): number {
  const b = fs.readFileSync(file);
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') byteRate = b.readUInt32LE(off + 16);
    if (id === 'data') return byteRate ? Math.min(size, b.length - off - 8) / byteRate : 0;
    off += 8 + size + (size % 2);
  }
  return 0;
}
