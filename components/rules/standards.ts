/** Shorthands for standards mappings used by many rules. */
import type { StandardsMapping } from "./types";

export function standards(owaspNhi: string[], owaspAsi: string[], maestro: string[], nistAiRmf: string[]): StandardsMapping {
  return { owaspNhi, owaspAsi, maestro, nistAiRmf };
}
