// A small argument parser: --flag value, --flag=value, positionals. Unknown flags are errors
// naming the flag, so a typo never silently falls back to a default.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  flags: Map<string, string>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], known: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!known.includes(name) && !booleans.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (booleans.includes(name)) {
      flags.set(name, eq > 0 ? a.slice(eq + 1) : 'true');
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { flags, positionals };
}

export function intFlag(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name}: "${raw}" is not an integer in [${min}, ${max}]`);
  return v;
}

export function choiceFlag<T extends string>(args: ParsedArgs, name: string, fallback: T, choices: readonly T[]): T {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name}: "${raw}" is not one of ${choices.join('|')}`);
  return raw as T;
}

/** "A..B" (inclusive) or a single seed. */
export function parseSeedRange(raw: string, max: number): [number, number] {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(raw);
  if (!m) throw new UsageError(`--seeds: "${raw}" is not A..B`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > b || b > max) throw new UsageError(`--seeds: "${raw}" must have A <= B <= ${max}`);
  return [a, b];
}
