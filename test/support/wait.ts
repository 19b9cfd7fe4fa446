/** Wait for a condition or an event with a deadline, never a fixed sleep. */
import type { EventEmitter } from 'node:events';

/** Poll `check` (cheaply, on each macrotask turn after the first few) until it returns a value, or throw after `ms`. */
export async function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (let i = 0; ; i++) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(50, 1 + i)));
  }
}

/** Resolve with the first `event` emitted whose args satisfy `match`, or reject after `ms`. */
export function nextEvent<T = unknown>(emitter: EventEmitter, event: string, match: (arg: T) => boolean = () => true, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    const on = (arg: T) => {
      if (!match(arg)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(arg);
    };
    emitter.on(event, on);
  });
}
