/**
 * Resources that hand an agent's data to other principals through a service of their own rather
 * than a resource policy: S3 Access Grants (locations, grants and the instance's resource policy),
 * AWS RAM resource shares, and Lake Formation (registered locations and permissions). Across the
 * stack each is compared with what agents own and hold (the holdings model, policy/aws-reach.ts) and
 * reported as `separation/agent-data-copy`, declarable in `shares` (principal
 * `resource:<type>/<name>`). Closed world: what the pack cannot tie to a bucket stands for every
 * bucket (a grant on a location this stack does not create, a Lake Formation permission on a
 * catalog, database, table or tag, whose tables may lie in any registered location; a RAM share of a
 * Glue catalog, database or table).
 */
import { agentResources, type AgentResources } from "../aws-reach";
import { asRecord, asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, StackPass } from "../types";
import { reportCopies, reportReached, toReaches, type Copy } from "./aws-data";
import { bucketArns, dataArns, s3UrlArns } from "./aws-arns";
import { deps, readOfType, type Read } from "./shared";

export const AWS_DATA_SHARE_TYPES = {
  accessGrantsLocation: "aws:s3control/accessGrantsLocation:AccessGrantsLocation",
  accessGrant: "aws:s3control/accessGrant:AccessGrant",
  accessGrantsInstanceResourcePolicy: "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy",
  ramResourceAssociation: "aws:ram/resourceAssociation:ResourceAssociation",
  lakeFormationResource: "aws:lakeformation/resource:Resource",
  lakeFormationPermissions: "aws:lakeformation/permissions:Permissions",
} as const;
const T = AWS_DATA_SHARE_TYPES;
const COPY = "separation/agent-data-copy";
const EVERY_BUCKET = ["arn:*:s3:::*"];

/** A RAM-shared ARN as the data it exposes: a Glue catalog, database or table may describe any bucket. */
function sharedArns(arn: string): string[] {
  return /^arn:[^:]*:glue:/.test(arn) ? [...EVERY_BUCKET, ...dataArns(arn)] : dataArns(arn);
}

const SHARES: readonly Copy[] = [
  { type: T.accessGrantsLocation, field: "locationScope", arns: s3UrlArns, does: "registers for S3 Access Grants (any grant on it hands out credentials for)" },
  { type: T.ramResourceAssociation, field: "resourceArn", arns: sharedArns, does: "shares through AWS RAM (with every principal of its share)" },
  { type: T.lakeFormationResource, field: "arn", arns: dataArns, does: "registers with Lake Formation, which then hands out credentials for," },
];

/** A grant reaches its location's scope (and sub-prefix) when the location is a resource of this stack; every bucket otherwise. */
function accessGrants(ix: StackIndex, pass: StackPass, agents: AgentResources): void {
  const locations = readOfType(ix, T.accessGrantsLocation);
  for (const r of readOfType(ix, T.accessGrant)) {
    const location = locations.find((l) => deps(r, "accessGrantsLocationId").some((d) => d.urn === l.resource.urn));
    const scope = location ? asString(location.v.locationScope) : undefined;
    const prefix = asString(asRecord(r.v.accessGrantsLocationConfiguration).s3SubPrefix);
    const arns = scope === undefined ? EVERY_BUCKET : s3UrlArns(prefix ? `${scope.replace(/\/?$/, "/")}${prefix}` : scope);
    const grantee = asString(asRecord(r.v.grantee).granteeIdentifier) ?? "(unknown grantee)";
    const gives = `gives ${grantee} ${asString(r.v.permission) ?? "access"} on`;
    if (scope !== undefined) reportReached(pass, r, toReaches(arns), agents, gives, scope);
    else
      reportReached(
        pass,
        r,
        toReaches(arns),
        agents,
        `${gives} location ${asString(r.v.accessGrantsLocationId) ?? "(unknown at preview)"}, not an AccessGrantsLocation of this stack, so any bucket:`,
      );
  }
}

/** The instance's resource policy lets other accounts use every location and grant of the instance: every bucket. */
function instancePolicies(ix: StackIndex, pass: StackPass, agents: AgentResources): void {
  for (const r of readOfType(ix, T.accessGrantsInstanceResourcePolicy))
    reportReached(pass, r, toReaches(EVERY_BUCKET), agents, "lets the principals of its policy use the account's S3 Access Grants, whose locations may cover");
}

/** Lake Formation permissions reach a data location's bucket; on a catalog, database, table or tag, every bucket its tables may lie in. */
function lakeFormationPermissions(pass: StackPass, agents: AgentResources, rs: readonly Read[]): void {
  for (const r of rs) {
    const location = asString(asRecord(r.v.dataLocation).arn);
    const arns = location !== undefined ? bucketArns(location) : EVERY_BUCKET;
    const permissions = Array.isArray(r.v.permissions) ? r.v.permissions.join(", ") : "permissions";
    const gives = `gives ${asString(r.v.principal) ?? "(unknown principal)"} Lake Formation ${permissions} on`;
    if (location !== undefined) reportReached(pass, r, toReaches(arns), agents, gives, location);
    else reportReached(pass, r, toReaches(arns), agents, `${gives} a catalog, database, table or tag, whose tables may lie in any bucket:`);
  }
}

export const awsDataShares: Adapter = {
  family: "aws-data-shares",
  holdings:
    "reads what agents own and hold from the holdings model; a grant or share through S3 Access Grants, RAM or Lake Formation is compared with it, not added to it",
  types: [
    {
      type: T.accessGrantsLocation,
      key: "accessGrantsLocation",
      route: "registers an S3 scope (which may be an agent's bucket) for Access Grants",
      checkedBy: [COPY],
    },
    { type: T.accessGrant, key: "accessGrant", route: "gives a principal credentials on an Access Grants location", checkedBy: [COPY] },
    {
      type: T.accessGrantsInstanceResourcePolicy,
      key: "accessGrantsInstanceResourcePolicy",
      route: "lets other accounts use the account's Access Grants instance",
      checkedBy: [COPY],
    },
    { type: T.ramResourceAssociation, key: "ramResourceAssociation", route: "shares a resource through AWS RAM", checkedBy: [COPY] },
    { type: T.lakeFormationResource, key: "lakeFormationResource", route: "registers an S3 location with Lake Formation", checkedBy: [COPY] },
    { type: T.lakeFormationPermissions, key: "lakeFormationPermissions", route: "gives a principal Lake Formation permissions on data", checkedBy: [COPY] },
  ],
  stack: (ix, pass) => {
    if (!Object.values(T).some((type) => ix.inputsOfType(type).length > 0)) return;
    const agents = agentResources(ix, pass);
    if (agents.byService.size === 0) return;
    reportCopies(ix, pass, agents, SHARES);
    accessGrants(ix, pass, agents);
    instancePolicies(ix, pass, agents);
    lakeFormationPermissions(pass, agents, readOfType(ix, T.lakeFormationPermissions));
  },
};
