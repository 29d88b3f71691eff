// Argument parsing for the storage tools: positional arguments, boolean flags and options with a
// value (--name value or --name=value). A problem is a UsageError naming the argument (exit 2).

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ArgSpec {
  /** Names of the positional arguments, in order (all required). */
  readonly positional: readonly string[];
  readonly flags?: readonly string[];
  /** Options taking a value, with the values allowed (undefined = any non-empty text). */
  readonly options?: Readonly<Record<string, readonly string[] | undefined>>;
}

export interface ParsedArgs {
  readonly positional: Readonly<Record<string, string>>;
  readonly flags: ReadonlySet<string>;
  readonly options: Readonly<Record<string, string>>;
}

export function parseArgs(tool: string, argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const positional: string[] = [];
  const flags = new Set<string>();
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (spec.flags?.includes(name)) {
      if (eq >= 0) throw new UsageError(`${tool}: --${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (spec.options && name in spec.options) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${tool}: --${name} needs a value`);
      const allowed = spec.options[name];
      if (allowed && !allowed.includes(value)) throw new UsageError(`${tool}: --${name} ${value}: must be one of ${allowed.join(', ')}`);
      options[name] = value;
      continue;
    }
    throw new UsageError(`${tool}: unknown option ${a}`);
  }
  if (positional.length < spec.positional.length) throw new UsageError(`${tool}: missing <${spec.positional[positional.length]}>`);
  if (positional.length > spec.positional.length) throw new UsageError(`${tool}: unexpected argument ${positional[spec.positional.length]}`);
  return { positional: Object.fromEntries(spec.positional.map((n, i) => [n, positional[i]!])), flags, options };
}
