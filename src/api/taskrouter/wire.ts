// TaskRouter wire helpers: ISO-8601 UTC dates without milliseconds, absolute resource URLs on the server's
// own origin, and the route dependencies every resource module receives.
import { isoSeconds } from '../../core/isoTimes.ts';
import type { Store } from '../../core/repository.ts';
import type { Engine } from '../../engine/engine.ts';
import type { SecretBox } from '../../auth/secretBox.ts';

export interface RouteDeps {
  store: Store;
  /** Injected clock (epoch ms). */
  clock: () => number;
  /** Every write that can affect routing goes through the engine. */
  engine: Engine;
  /** Opens and seals the stored credentials (auth tokens, API key secrets). */
  secrets: SecretBox;
}

export function isoDate(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return isoSeconds(ms);
}

export function workspaceUrl(origin: string, wsSid: string, rest = ''): string {
  return `${origin}/v1/Workspaces/${wsSid}${rest}`;
}
