import { basicElection } from './basic.js';
import { fastElection } from './fast.js';
import type { ElectionStrategyFactory } from './spi.js';

export type ElectionStrategyName = 'fast' | 'basic';

/** The strategies a server can pick with `zkts.election=fast|basic`. */
export const electionStrategies: Readonly<Record<ElectionStrategyName, ElectionStrategyFactory>> = Object.freeze({
  fast: fastElection,
  basic: basicElection,
});

/** The factory for a configured name, or a RangeError naming the key and the choices. */
export function electionStrategyNamed(name: string): ElectionStrategyFactory {
  if (!Object.hasOwn(electionStrategies, name)) {
    throw new RangeError(`zkts.election: unknown strategy '${name}' (choose ${Object.keys(electionStrategies).join(' or ')})`);
  }
  return electionStrategies[name as ElectionStrategyName];
}
