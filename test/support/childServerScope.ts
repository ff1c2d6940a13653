// A test file's child servers and the temporary directory their databases live in: every server started through
// the scope is killed (SIGKILL) and the directory removed once the file's tests are done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type ChildServer, startChild } from './childServer.ts';

export interface ChildServerScope {
  dir: string;
  start(env: Record<string, string>, args?: string[]): Promise<ChildServer>;
}

export function childServerScope(prefix: string): ChildServerScope {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildServer[] = [];
  after(async () => {
    for (const child of children) await child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    async start(env, args) {
      const child = await startChild(env, args);
      children.push(child);
      return child;
    },
  };
}
