/**
 * Locates ../shared (the reference recordings and the spec), which CI places beside the clone.
 * Tests that need it use `describeShared`, which skips with a visible notice where it is absent.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = process.env.SWITCHBOARD_SHARED ?? resolve(REPO_ROOT, '../shared');
export const HAVE_SHARED = existsSync(resolve(SHARED_DIR, 'spec/routing.md'));

/** `describe` that runs only where ../shared exists, and says so loudly where it does not. */
export function describeShared(name: string, fn: () => void): void {
  if (!HAVE_SHARED) {
    process.stderr.write(`\n  NOTICE: skipping "${name}": ${SHARED_DIR} not found (reference recordings live beside the clone in CI)\n`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

/** Absolute path of a file under ../shared. */
export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}
