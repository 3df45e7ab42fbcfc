/**
 * Entry point Pulumi's component analyser starts from (provider/package.json `main`): the components
 * other languages get, as `agent-identity:index:<class name>`.
 */
export { AgentFleet } from "../components/agent-fleet";
export { Agent } from "../components/agent";
export { AgentPlatform } from "../components/agent-platform";
