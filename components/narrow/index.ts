export { narrow, declaredTools, type NarrowInput, type NarrowResult } from "./narrow";
export { writeNarrowed, NarrowWriteError } from "./writer";
export { renderJson, renderMarkdown, renderText } from "./report";
export { readCloudTrail, type TrailEvent } from "./cloudtrail-reader";
export { readVaultAudit, type VaultRequest } from "./vault-audit-reader";
export { mapEvent, MAPPING_SOURCE } from "./action-mapping";
