export { CURATOR_JARS, CURATOR_SCENARIO_TIMEOUT_MS, SCENARIOS, curatorAvailable, runCuratorScenario } from './curator-driver.js';
export type { ScenarioName, ScenarioRun } from './curator-driver.js';
