// A scripted nemesis: "atMs:action args; ..." e.g.
//   "500:crash 2; 900:partition 1,2|3,4,5; 1500:heal; 1600:restart 2; 2000:crash-leader"
// Actions: crash N | restart N | crash-leader | isolate N | partition a,b|c,d,e | heal |
// loss P | delay MAXMS | pause N | resume N | skew N RATE | disk on|off.

export type ScriptAction =
  | { kind: 'crash' | 'restart' | 'isolate' | 'pause' | 'resume'; server: number }
  | { kind: 'crash-leader' | 'heal' }
  | { kind: 'partition'; groups: number[][] }
  | { kind: 'loss'; probability: number }
  | { kind: 'delay'; maxMs: number }
  | { kind: 'skew'; server: number; rate: number }
  | { kind: 'disk'; on: boolean };

export interface ScriptStep {
  atMs: number;
  action: ScriptAction;
}

/** Steps one script may hold. */
export const SCRIPT_STEPS_MAX = 10_000;

export class ScriptError extends RangeError {
  constructor(step: string, message: string) {
    super(`nemesis script step "${step}": ${message}`);
    this.name = 'ScriptError';
  }
}

export function parseScript(text: string, servers: number): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (const raw of text.split(';')) {
    const step = raw.trim();
    if (step === '') continue;
    if (steps.length >= SCRIPT_STEPS_MAX) throw new ScriptError(step, `more than ${SCRIPT_STEPS_MAX} steps`);
    const m = /^(\d+)\s*:\s*([a-z-]+)\s*(.*)$/.exec(step);
    if (!m) throw new ScriptError(step, 'expected "atMs:action args"');
    const atMs = Number(m[1]);
    const args = m[3]!.trim();
    const server = (): number => {
      const id = Number(args.split(/\s+/)[0]);
      if (!Number.isInteger(id) || id < 1 || id > servers) throw new ScriptError(step, `server must be in 1..${servers}`);
      return id;
    };
    const number = (s: string | undefined, min: number, max: number, what: string): number => {
      const v = Number(s);
      if (s === undefined || s === '' || !Number.isFinite(v) || v < min || v > max) throw new ScriptError(step, `${what} must be in [${min}, ${max}]`);
      return v;
    };
    let action: ScriptAction;
    switch (m[2]) {
      case 'crash':
      case 'restart':
      case 'isolate':
      case 'pause':
      case 'resume':
        action = { kind: m[2], server: server() };
        break;
      case 'crash-leader':
      case 'heal':
        action = { kind: m[2] };
        break;
      case 'partition': {
        const groups = args.split('|').map((g) => g.split(',').map((x) => Number(x.trim())));
        for (const id of groups.flat()) if (!Number.isInteger(id) || id < 1 || id > servers) throw new ScriptError(step, `server ids must be in 1..${servers}`);
        action = { kind: 'partition', groups };
        break;
      }
      case 'loss':
        action = { kind: 'loss', probability: number(args, 0, 1, 'loss') };
        break;
      case 'delay':
        action = { kind: 'delay', maxMs: number(args, 0, 10_000, 'delay') };
        break;
      case 'skew': {
        const [, rate] = args.split(/\s+/);
        action = { kind: 'skew', server: server(), rate: number(rate, 0.1, 10, 'rate') };
        break;
      }
      case 'disk':
        if (args !== 'on' && args !== 'off') throw new ScriptError(step, 'disk takes on or off');
        action = { kind: 'disk', on: args === 'on' };
        break;
      default:
        throw new ScriptError(step, `unknown action "${m[2]}"`);
    }
    steps.push({ atMs, action });
  }
  return steps;
}
