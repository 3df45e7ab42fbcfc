/**
 * CloudWatch log groups: an agent's audit sink, tagged with its agent. Read only into the holdings
 * model: the audit identity writes its own group, the execution identity none of any agent.
 */
import type { Adapter } from "../types";

export const LOG_GROUP_TYPES = {
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

export const logGroups: Adapter = {
  family: "log-groups",
  holdings: "a log group tagged agent is that agent's audit sink (AgentOwnership.auditLogGroupArn); its name gives the audit namespace",
  types: [
    {
      type: LOG_GROUP_TYPES.logGroup,
      key: "logGroup",
      route: "an agent's audit log group, which only its audit identity writes",
      checkedBy: ["separation/audit-write-only", "separation/execution-no-audit-sink"],
    },
  ],
};
