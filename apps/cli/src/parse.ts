// Parsing as zkCli.sh parses: a command line split into words (quotes group words), each
// command's options read the way Apache commons-cli's DefaultParser reads them (so the same input
// gets the same error text), and zkts-cli's own arguments (-server, -timeout, -r, --json).

/** ZooKeeperMain's word pattern: a bare word, or a "double" / 'single' quoted run. */
const WORD = /\s*([^"']\S*|"[^"]*"|'[^']*')\s*/g;
const QUOTED = /^(['"])(.*)(\1)$/s;

/** Splits a command line into words; surrounding quotes are removed, an unmatched quote is dropped. */
export function splitLine(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(WORD)) {
    let w = m[1]!;
    const q = QUOTED.exec(w);
    if (q) w = q[2]!;
    words.push(w);
  }
  return words;
}

// ---- commons-cli ------------------------------------------------------------------------------

export interface OptionSpec {
  /** One letter. */
  readonly name: string;
  readonly hasArg: boolean;
  readonly description: string;
}

export interface OptionGroupSpec {
  readonly names: readonly string[];
  readonly required: boolean;
}

export interface CommandSpec {
  readonly options: readonly OptionSpec[];
  readonly group?: OptionGroupSpec;
}

/** A commons-cli ParseException; zkCli prints its toString(): "<class>: <message>". */
export class OptionParseError extends Error {
  constructor(readonly javaClass: string, message: string) {
    super(`org.apache.commons.cli.${javaClass}: ${message}`);
    this.name = 'OptionParseError';
  }
}

export interface ParsedOptions {
  /** The words that are not options, starting with the command name. */
  readonly args: string[];
  has(name: string): boolean;
  /** The first value given for an option that takes one. */
  value(name: string): string | undefined;
}

function isNumber(token: string): boolean {
  // Java's Double.parseDouble accepts what Number() accepts for these tokens (plus a trailing d/f).
  const t = token.trim().replace(/[dDfF]$/, '');
  return t !== '' && !Number.isNaN(Number(t)) && !/^[+-]?0[xXbBoO]/.test(t);
}

/**
 * DefaultParser.parse(options, tokens) for short options only (all zkCli has): `-s`, `-sw`,
 * `-v5`, `-v 5`, `-v=5`, `--` ends options, a negative number is an argument, an unknown
 * `-x` is UnrecognizedOptionException, options may follow arguments.
 */
export function parseOptions(spec: CommandSpec, tokens: readonly string[]): ParsedOptions {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const values = new Map<string, string[]>();
  const args: string[] = [];
  let current: { opt: OptionSpec; filled: boolean } | undefined;
  let skipping = false;
  let selected: string | undefined;

  const isOptionToken = (t: string): boolean => {
    if (!t.startsWith('-') || t.length === 1) return false;
    const eq = t.indexOf('=');
    const name = eq < 0 ? t.slice(1) : t.slice(1, eq);
    return byName.has(name) || (name.length > 0 && byName.has(name.charAt(0)));
  };
  const checkRequiredArg = (): void => {
    if (current && current.opt.hasArg && !current.filled) {
      throw new OptionParseError('MissingArgumentException', `Missing argument for option: ${current.opt.name}`);
    }
  };
  const handleOption = (opt: OptionSpec): void => {
    checkRequiredArg();
    if (spec.group?.names.includes(opt.name)) {
      if (selected !== undefined && selected !== opt.name) {
        throw new OptionParseError('AlreadySelectedException', `The option '${opt.name}' was specified but an option from this group has already been selected: '${selected}'`);
      }
      selected = opt.name;
    }
    if (!values.has(opt.name)) values.set(opt.name, []);
    current = opt.hasArg ? { opt, filled: false } : undefined;
  };
  const addValue = (v: string): void => {
    values.get(current!.opt.name)!.push(v);
    current!.filled = true;
    current = undefined;
  };
  const unknown = (t: string): void => {
    if (t.startsWith('-') && t.length > 1) throw new OptionParseError('UnrecognizedOptionException', `Unrecognized option: ${t}`);
    args.push(t);
  };

  for (const token of tokens) {
    if (skipping) {
      args.push(token);
    } else if (token === '--') {
      skipping = true;
    } else if (current && !current.filled && (!isOptionToken(token) || isNumber(token))) {
      addValue(token);
    } else if (token.startsWith('--')) {
      unknown(token);
    } else if (token.startsWith('-') && token !== '-') {
      const t = token.slice(1);
      const eq = t.indexOf('=');
      if (t.length === 1) {
        const opt = byName.get(t);
        if (opt) handleOption(opt);
        else unknown(token);
      } else if (eq < 0) {
        const whole = byName.get(t);
        if (whole) {
          handleOption(whole);
        } else {
          // -S1S2S3 or -SV: letters until one takes an argument, which takes the rest
          for (let i = 0; i < t.length; i++) {
            const opt = byName.get(t.charAt(i));
            if (!opt) {
              unknown(token);
              break;
            }
            handleOption(opt);
            if (current && i + 1 < t.length) {
              addValue(t.slice(i + 1));
              break;
            }
          }
        }
      } else {
        const name = t.slice(0, eq);
        const opt = name.length === 1 ? byName.get(name) : undefined;
        if (opt?.hasArg) {
          handleOption(opt);
          addValue(t.slice(eq + 1));
        } else {
          unknown(token);
        }
      }
    } else {
      unknown(token);
    }
  }
  checkRequiredArg();
  if (spec.group?.required && selected === undefined) {
    const items = spec.group.names.map((n) => `-${n} ${byName.get(n)!.description}`);
    throw new OptionParseError('MissingOptionException', `Missing required option: [${items.join(', ')}]`);
  }
  return {
    args,
    has: (name) => values.has(name),
    value: (name) => values.get(name)?.[0],
  };
}

// ---- zkts-cli's own arguments -----------------------------------------------------------------

export const DEFAULT_SERVER = 'localhost:2181';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest -timeout accepted (a session timeout is an int of milliseconds). */
export const TIMEOUT_MS_MAX = 0x7fffffff;

export interface MainOptions {
  server: string;
  timeoutMs: number;
  readOnly: boolean;
  json: boolean;
  help: boolean;
  /** The command and its words when one is given on the command line. */
  command: string[] | undefined;
}

/** A bad zkts-cli invocation (exit code 2, ZooKeeper's INVALID_INVOCATION). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * ZooKeeperMain's argument rules: options first (-server, -timeout, -r, plus zkts-cli's --json
 * and --help); the first word not starting with '-' starts the command, which takes the rest.
 * -client-configuration and -waitforconnection are accepted as in zkCli and ignored.
 */
export function parseMainArgs(argv: readonly string[]): MainOptions {
  const o: MainOptions = { server: DEFAULT_SERVER, timeoutMs: DEFAULT_TIMEOUT_MS, readOnly: false, json: false, help: false, command: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`no argument found for option ${a}`);
      return v;
    };
    if (a === '-server') o.server = next();
    else if (a === '-timeout') {
      const text = next();
      const n = Number(text);
      if (!/^\d+$/.test(text) || !(n > 0) || n > TIMEOUT_MS_MAX) throw new UsageError(`-timeout must be a positive integer of milliseconds up to ${TIMEOUT_MS_MAX} (got '${text}')`);
      o.timeoutMs = n;
    } else if (a === '-r') o.readOnly = true;
    else if (a === '--json') o.json = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a === '-client-configuration') next();
    else if (a === '-waitforconnection') { /* zkts-cli always waits for the connection */ }
    else if (!a.startsWith('-')) {
      o.command = argv.slice(i);
      break;
    } else {
      throw new UsageError(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

/** java.lang.Integer.decode: decimal, 0x/#hex, 0 octal, with a sign. */
export function javaIntegerDecode(text: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|#[0-9a-fA-F]+|0[0-7]+|\d+)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!;
  const v = body.startsWith('#') ? parseInt(body.slice(1), 16)
    : /^0[xX]/.test(body) ? parseInt(body.slice(2), 16)
    : body.length > 1 && body.startsWith('0') ? parseInt(body.slice(1), 8)
    : parseInt(body, 10);
  const signed = m[1] === '-' ? -v : v;
  return signed >= -0x80000000 && signed <= 0x7fffffff ? signed : undefined;
}

/** Integer.parseInt for -v / -b values; undefined when Java would throw NumberFormatException. */
export function javaParseInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const v = Number(text);
  return v >= -0x80000000 && v <= 0x7fffffff ? v : undefined;
}

/** Long.parseLong; undefined on a NumberFormatException. */
export function javaParseLong(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const v = BigInt(text);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}
