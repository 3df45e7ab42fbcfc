/**
 * A memo for pure functions of strings: fleets repeat the same inputs agent after agent, so results
 * are kept by key, and the whole table is dropped when it reaches `max` (memory stays bounded for
 * any input; a miss only costs the computation again). Cached values are shared: callers never
 * change them.
 */
export function boundedCache<V>(max: number): (key: string, compute: () => V) => V {
  const table = new Map<string, V>();
  return (key, compute) => {
    // One lookup for a hit; `has` only tells a cached undefined from a miss.
    const cached = table.get(key);
    if (cached !== undefined || table.has(key)) return cached as V;
    const value = compute();
    if (table.size >= max) table.clear();
    table.set(key, value);
    return value;
  };
}
