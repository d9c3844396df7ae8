/**
 * Where an object lands in ArgoCD's sync order. An Application syncs its resources wave by wave;
 * an app-of-apps syncs child Applications the same way (and waits for each wave to be healthy,
 * given the Application health check). So an object's place is the chain of waves from a root:
 * the wave of each Application on the way within its parent, then the object's wave within its
 * own Application. Two places compare at the first Application where their chains part.
 */

export interface Step {
  /** The Application whose sync orders this step (its document id). */
  container: string;
  /** What is ordered: an object's or a child Application's document id, or a chart/source id. */
  element: string;
  wave: number;
}

export type Position = readonly Step[];

export type Order = 'before' | 'after' | 'concurrent';

export interface Comparison {
  order: Order;
  /** Both are ordered by the same Application's sync, as its own resources (not via child Applications). */
  sameApplication: boolean;
  /** The steps where the two places part (same container, different elements); undefined under different roots. */
  at?: [Step, Step];
}

/** How `a` is ordered relative to `b`. Places under different roots are concurrent. */
export function compare(a: Position, b: Position): Comparison {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.container !== y.container) return { order: 'concurrent', sameApplication: false };
    if (x.element === y.element) continue;
    const sameApplication = i === a.length - 1 && i === b.length - 1;
    return { order: x.wave < y.wave ? 'before' : x.wave > y.wave ? 'after' : 'concurrent', sameApplication, at: [x, y] };
  }
  return { order: 'concurrent', sameApplication: a.length === b.length };
}

/** Parses a sync-wave annotation the way ArgoCD does: an integer, anything else counts as 0. */
export function parseWave(value: string | undefined): { wave: number; valid: boolean } {
  if (value === undefined) return { wave: 0, valid: true };
  const trimmed = value.trim();
  return /^[-+]?\d+$/.test(trimmed) ? { wave: Number.parseInt(trimmed, 10), valid: true } : { wave: 0, valid: false };
}
