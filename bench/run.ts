/** `npm run bench`: measurements printed in milliseconds (not assertions; machines differ). */
import { benchDiff } from "./diff";

async function main(): Promise<void> {
  await benchDiff();
}

void main();
