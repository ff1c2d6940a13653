// Loads walCoalesce.c (a SQLite VFS shim that writes a commit's WAL frames with one system call) into this
// process's SQLite, once, as the default VFS: every connection opened after it, the checkpoint worker's
// included, uses it. The library is compiled by `npm run build` (scripts/build.mjs) into dist/; without it (no C
// compiler, or `npm run dev` before a build) SQLite writes as it always does and the store says why.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the build puts the library: dist/store/sqlite/ of the package, reached the same way from src/ (tests,
 *  `npm run dev`) and from dist/ (the compiled server). */
export const WAL_COALESCE_LIBRARY = fileURLToPath(new URL('../../../dist/store/sqlite/walCoalesce.so', import.meta.url));

export interface WalCoalescing {
  /** Whether the connections this process opens from now on coalesce their WAL writes. */
  active: boolean;
  /** Why not, when not. */
  reason?: string;
}

const loaded = new Map<string, WalCoalescing>();

/** Whether this process has the shim (a connection opened now uses it), without loading it. */
export function walCoalescingLoaded(): WalCoalescing {
  for (const result of loaded.values()) if (result.active) return result;
  return { active: false, reason: 'not loaded (turned off)' };
}

/** Registers the shim from `library` (once per process and path; later calls answer the first one's result). */
export function enableWalCoalescing(library = WAL_COALESCE_LIBRARY): WalCoalescing {
  const known = loaded.get(library);
  if (known) return known;
  let result: WalCoalescing;
  if (!existsSync(library)) {
    result = { active: false, reason: `${library} is not built (npm run build compiles it; it needs a C compiler)` };
  } else {
    // An extension is loaded through a connection; its VFS outlives it (SQLITE_OK_LOAD_PERMANENTLY).
    const loader = new Database(':memory:');
    try {
      loader.loadExtension(library);
      result = { active: true };
    } catch (err) {
      result = { active: false, reason: `${library} did not load: ${(err as Error).message}` };
    } finally {
      loader.close();
    }
  }
  loaded.set(library, result);
  return result;
}
