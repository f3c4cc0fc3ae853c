// Finds the random generators inside a model (dropout masks) so their states can be saved and
// restored for an exact resume.

/** A generator whose whole state can be read and written (@llmfs/nn's Rng). */
export interface RngLike {
  getState(): number[];
  setState(state: number[]): void;
}

interface ModuleLike {
  rng?: unknown;
  namedChildren?(): Array<[string, unknown]>;
}

function isRng(x: unknown): x is RngLike {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as RngLike).getState === 'function' &&
    typeof (x as RngLike).setState === 'function'
  );
}

/** Every distinct `rng` of the module tree, in registration order (the model's own first). */
export function collectRngs(model: unknown): RngLike[] {
  const out: RngLike[] = [];
  const seen = new Set<unknown>();
  const visit = (m: ModuleLike): void => {
    if (isRng(m.rng) && !seen.has(m.rng)) {
      seen.add(m.rng);
      out.push(m.rng);
    }
    for (const [, child] of m.namedChildren?.() ?? []) visit(child as ModuleLike);
  };
  visit(model as ModuleLike);
  return out;
}
