/** Running a CLI command in-process with its output captured, in a folder of its own (the CLI tests share this). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import type { CliIO, Command } from '../../src/cli/io.js';

/** A stream that keeps what is written to it; `isTTY` lets a test see the terminal output. */
export class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A fresh IO in `cwd` with an empty environment, and its two captured streams. */
export function captureIO(cwd: string): CliIO & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture(), env: {}, cwd };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `command` with `argv` in `cwd`: its exit status and what it printed. */
export async function runCli(command: Command, argv: string[], cwd: string): Promise<CliResult> {
  const io = captureIO(cwd);
  const code = await command(argv, io);
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

/**
 * A temporary folder holding `switchboard.yaml` (= `config`) for the tests of one file: made
 * before them, removed after them. `path` is set from the first hook on.
 */
export function configFolder(prefix: string, config: string): { readonly path: string } {
  const folder = { path: '' };
  beforeAll(async () => {
    folder.path = await mkdtemp(path.join(tmpdir(), prefix));
    await writeFile(path.join(folder.path, 'switchboard.yaml'), config);
  });
  afterAll(async () => {
    await rm(folder.path, { recursive: true, force: true });
  });
  return folder;
}
