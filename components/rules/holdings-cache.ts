/** The holdings model and its index, built once per plan and shared by every rule family. */
import { holdingsFromPlan, indexHoldings, type FleetHoldings, type Holder } from "../core/holdings";
import type { FleetPlan } from "../core/plan-types";
import type { ResourceIndex } from "../core/resource-index";

const holdings = new WeakMap<FleetPlan, FleetHoldings>();
const indexes = new WeakMap<FleetHoldings, ResourceIndex<Holder>>();

export function holdingsOf(plan: FleetPlan): FleetHoldings {
  let fleet = holdings.get(plan);
  if (!fleet) holdings.set(plan, (fleet = holdingsFromPlan(plan)));
  return fleet;
}

export function indexOf(fleet: FleetHoldings): ResourceIndex<Holder> {
  let index = indexes.get(fleet);
  if (!index) indexes.set(fleet, (index = indexHoldings(fleet)));
  return index;
}
