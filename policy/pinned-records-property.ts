/** The configuration property holding the pinned plan records (pinned-records-config.ts), shared with the CLI that prints it. */
export const PINNED_RECORDS_PROPERTY = "pinnedRecords";
