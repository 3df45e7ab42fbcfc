/** `--date YYYY-MM-DD`: the day plans are judged on (expiry), at 00:00 UTC. @default now */
export function parseDate(value: string | undefined): Date {
  if (value === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new Error(`--date must be YYYY-MM-DD, got "${value}"`);
  }
  return new Date(`${value}T00:00:00Z`);
}
