/**
 * CrossGuard policy pack `agent-identity`: run it with `pulumi preview --policy-pack policy`.
 * Every rule is mandatory unless it is a warning; see docs/controls.md for the list.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("agent-identity", { enforcementLevel: "mandatory", policies });
