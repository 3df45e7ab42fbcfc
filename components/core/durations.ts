/**
 * Durations in declarations are strings such as `90s`, `10m`, `1h` (Vault's own duration syntax,
 * restricted to whole s/m/h/d units so every value converts exactly to seconds).
 * Plans and Pulumi inputs carry seconds, because that is what the Vault provider accepts.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(\d+)(s|m|h|d)$/;

export function isDuration(value: string): boolean {
  return DURATION.test(value);
}

/** `10m` → 600. Throws on anything that is not a whole number followed by s, m, h or d. */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new Error(`"${value}" is not a duration like 90s, 10m, 1h or 1d`);
  return Number(match[1]) * UNIT_SECONDS[match[2]];
}

/** 600 → `10m`; picks the largest unit that divides exactly, for readable output. */
export function formatDuration(seconds: number): string {
  for (const unit of ["d", "h", "m"] as const) {
    const size = UNIT_SECONDS[unit];
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
