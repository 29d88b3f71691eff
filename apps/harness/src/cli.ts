// zkts-harness: the commands, as a function of argv and two output sinks (so tests run them
// in-process). Exit codes: 0 ok / valid, 1 violation / not linearizable, 2 usage or input error,
// 3 the checker gave up ('unknown').
import { readFile } from 'node:fs/promises';
import {
  CHECK_MODELS, CHECK_STEPS_MAX_DEFAULT, CHECK_TIME_MS_MAX_DEFAULT, checkHistory, formatCheckResult,
  HistoryError, HistoryParseError, parseJsonLines, type CheckModel,
} from '@zkts/sim';
import { choiceFlag, intFlag, parseArgs, UsageError } from './args.js';
import { electionsCommand } from './elections-command.js';
import { simCommand } from './sim-command.js';
import { clusterCommand } from './cluster-command.js';

export interface HarnessIo {
  out(text: string): void;
  err(text: string): void;
  /** Where files (charts) are written; defaults to the current directory. */
  cwd?: string;
  /** stderr is a terminal: the progress bar redraws in place. */
  isTty?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNKNOWN = 3;

export const USAGE = `usage: zkts-harness <command> [options]

commands:
  sim        run the deterministic simulator
             --seed S | --seeds A..B   --servers N (5)   --clients M (5)   --ops N (1000)
             --election fast|basic|all   --faults all|none|crash,leader,partition,loss,delay,
             dup,reorder,pause,skew,disk   --workloads all|register,counter,ids,queue,members,lock
             --bug commit-without-quorum|stale-reads|election-ignores-zxid
             --script '300:crash-leader; 600:partition 1,2|3,4,5; 900:heal; ...' (see @zkts/sim)
             --trace (print every trace line)   --history F.jsonl --edn F.edn --porcupine F.json
  check      check a Jepsen-style JSON-lines history
             [--model register|zookeeper] [--steps N] [--time-ms N] history.jsonl
  elections  compare election strategies (fast vs basic) under no faults, loss and a partition
             --trials N (50)   --servers N (5)   --out DIR (.)   writes elections.txt and elections.svg
  cluster    the register workload against real zkts-server processes under a nemesis
             --servers 3|5 (3)   --election fast|basic   --ops N (500)   --clients M (3)
             --faults kill,stop|none   --seed S (1)   --rate OPS_PER_S (20)   --time-ms N (300000)
             --connect all|one (each client on every member, or on one)   --history F.jsonl
             --keep (keep the members' data directory)
`;

export async function runHarness(argv: readonly string[], io: HarnessIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await checkCommand(rest, io);
      case 'sim':
        return await simCommand(rest, io);
      case 'elections':
        return await electionsCommand(rest, io);
      case 'cluster':
        return await clusterCommand(rest, io);
      case undefined:
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`zkts-harness: ${err.message}\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (err instanceof HistoryParseError || err instanceof HistoryError) {
      io.err(`zkts-harness: bad history: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

async function checkCommand(argv: readonly string[], io: HarnessIo): Promise<number> {
  const args = parseArgs(argv, ['model', 'steps', 'time-ms']);
  const model = choiceFlag<CheckModel>(args, 'model', 'zookeeper', CHECK_MODELS);
  const steps = intFlag(args, 'steps', CHECK_STEPS_MAX_DEFAULT, 1, 1_000_000_000);
  const timeMs = intFlag(args, 'time-ms', CHECK_TIME_MS_MAX_DEFAULT, 1, 24 * 3600_000);
  if (args.positionals.length !== 1) throw new UsageError('check needs exactly one history file');
  const file = args.positionals[0]!;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const result = checkHistory(parseJsonLines(text), { model, stepsMaxPerPath: steps, timeMsMax: timeMs });
  io.out(formatCheckResult(result) + '\n');
  return result.valid === true ? EXIT_OK : result.valid === false ? EXIT_VIOLATION : EXIT_UNKNOWN;
}
