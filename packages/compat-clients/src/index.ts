// Test support for real-client compatibility tests (kazoo, node-zookeeper-client).
export { kazooAvailable, runKazooScenario, KAZOO_SCENARIOS, KAZOO_SCENARIO_TIMEOUT_MS, SYSTEM_PYTHON } from './kazoo-driver.js';
export type { KazooOutcome } from './kazoo-driver.js';
export { startReference, startZkts, referenceZooKeeperAvailable } from './servers.js';
export type { RunningServer } from './servers.js';
export { NZK_SCENARIOS, NZK_WAIT_MS, runNzkScenario, statView, Zk } from './nzk-scenarios.js';
export type { NzkScenario, ScenarioContext } from './nzk-scenarios.js';
export { startTcpProxy } from './tcp-proxy.js';
export type { TcpProxy } from './tcp-proxy.js';
