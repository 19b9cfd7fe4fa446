/**
 * Watch a config file for changes and call back once it has settled.
 *
 * The folder is watched, not the file: an atomic save (`mv new switchboard.yaml`, `sed -i`, most
 * editors) replaces the inode, and a watch on the old inode never fires again. And a change counts
 * only once the file has been unchanged (same size and mtime) for `quietMs`: editors write in
 * several steps, and a reload in the middle of a save reads half a file.
 */
import { stat, type FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

/** Call `onSettled` after every change to `file` once it has been quiet for `quietMs` (default 250). */
export function watchConfig(file: string, onSettled: () => void, opts: { quietMs?: number } = {}): ConfigWatcher {
  const quietMs = opts.quietMs ?? 250;
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let last = '';
  const signature = (done: (sig: string) => void) => stat(file, (err, s) => done(err ? `missing:${err.code}` : `${s.size}:${s.mtimeMs}:${s.ino}`));
  const settle = () => {
    timer = undefined;
    signature((sig) => {
      if (closed) return;
      // Still changing (a write landed without an event reaching us yet): wait another quiet period.
      if (sig !== last) {
        last = sig;
        timer = setTimeout(settle, quietMs);
        return;
      }
      onSettled();
    });
  };
  const changed = () => {
    clearTimeout(timer);
    signature((sig) => {
      if (closed) return;
      last = sig;
      clearTimeout(timer);
      timer = setTimeout(settle, quietMs);
    });
  };
  const watcher: FSWatcher = watch(dirname(file), (_event, changedName) => {
    // Some platforms give no name: then any change in the folder may be ours.
    if (changedName === null || changedName === name) changed();
  });
  watcher.on('error', () => undefined);
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
