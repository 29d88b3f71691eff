import { describe, expect, it } from 'vitest';
import { javaIntegerDecode, javaParseInt, javaParseLong, parseMainArgs, parseOptions, splitLine, UsageError, type CommandSpec } from './parse.js';

const SET: CommandSpec = { options: [{ name: 's', hasArg: false, description: 'stats' }, { name: 'v', hasArg: true, description: 'version' }] };
const QUOTA: CommandSpec = {
  options: [['n', 'num soft quota'], ['b', 'bytes soft quota'], ['N', 'num hard quota'], ['B', 'bytes hard quota']].map(([name, description]) => ({ name: name!, hasArg: true, description: description! })),
  group: { names: ['n', 'b', 'N', 'B'], required: true },
};

describe('splitLine (ZooKeeperMain.parseCommand)', () => {
  it('splits on whitespace and keeps quoted runs together without their quotes', () => {
    expect(splitLine('create /a "two words" x')).toEqual(['create', '/a', 'two words', 'x']);
    expect(splitLine("set /a 'it is'")).toEqual(['set', '/a', 'it is']);
    expect(splitLine('  ls   /  ')).toEqual(['ls', '/']);
    expect(splitLine('create /k a"b')).toEqual(['create', '/k', 'a"b']);
    expect(splitLine('get "/x')).toEqual(['get', '/x']); // an unmatched quote is dropped, as Java's find() skips it
    expect(splitLine('   ')).toEqual([' ']); // as Java's pattern: a blank line is the command " "
  });
});

describe('parseOptions (commons-cli DefaultParser)', () => {
  it('reads flags, values (separate, attached, =), concatenated flags and options after arguments', () => {
    const o = parseOptions(SET, ['set', '-s', '-v', '3', '/a', 'd']);
    expect([o.args, o.has('s'), o.value('v')]).toEqual([['set', '/a', 'd'], true, '3']);
    expect(parseOptions(SET, ['set', '-v5', '/a', 'd']).value('v')).toBe('5');
    expect(parseOptions(SET, ['set', '-v=7', '/a', 'd']).value('v')).toBe('7');
    expect(parseOptions(SET, ['set', '-sv', '9', '/a', 'd']).value('v')).toBe('9');
    expect(parseOptions(SET, ['set', '/a', 'd', '-v', '2']).value('v')).toBe('2');
    expect(parseOptions(SET, ['set', '-v', '-1', '/a', 'd']).value('v')).toBe('-1');
    expect(parseOptions(SET, ['set', '--', '-s', 'd']).args).toEqual(['set', '-s', 'd']);
  });

  it('fails with commons-cli exception text', () => {
    expect(() => parseOptions(SET, ['set', '-x'])).toThrow('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x');
    expect(() => parseOptions(SET, ['set', '-v'])).toThrow('org.apache.commons.cli.MissingArgumentException: Missing argument for option: v');
    expect(() => parseOptions(SET, ['set', '-v', '-s'])).toThrow('MissingArgumentException: Missing argument for option: v');
    expect(() => parseOptions(QUOTA, ['setquota', '/q'])).toThrow(
      'org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft quota, -b bytes soft quota, -N num hard quota, -B bytes hard quota]',
    );
    expect(() => parseOptions(QUOTA, ['setquota', '-n', '2', '-b', '5', '/q'])).toThrow(
      "org.apache.commons.cli.AlreadySelectedException: The option 'b' was specified but an option from this group has already been selected: 'n'",
    );
  });
});

describe('zkts-cli arguments', () => {
  it('takes -server, -timeout, -r, --json, then the command with all its words', () => {
    expect(parseMainArgs(['-server', 'h:1/app', '-timeout', '5000', '-r', '--json', 'get', '-s', '/x'])).toEqual({
      server: 'h:1/app', timeoutMs: 5000, readOnly: true, json: true, help: false, command: ['get', '-s', '/x'],
    });
    expect(parseMainArgs([]).server).toBe('localhost:2181');
    expect(parseMainArgs([]).command).toBeUndefined();
  });
  it('refuses bad values naming the option', () => {
    expect(() => parseMainArgs(['-timeout', 'soon'])).toThrow(UsageError);
    expect(() => parseMainArgs(['-timeout', 'soon'])).toThrow(/-timeout must be a positive integer.*'soon'/);
    expect(() => parseMainArgs(['-timeout', '0'])).toThrow(/-timeout/);
    expect(() => parseMainArgs(['-server'])).toThrow('no argument found for option -server');
    expect(() => parseMainArgs(['--bogus'])).toThrow('unknown option --bogus');
  });
});

describe('Java number parsing', () => {
  it('Integer.decode / parseInt / parseLong', () => {
    expect([javaIntegerDecode('12'), javaIntegerDecode('0x10'), javaIntegerDecode('#f'), javaIntegerDecode('010'), javaIntegerDecode('-3')]).toEqual([12, 16, 15, 8, -3]);
    expect(javaIntegerDecode('abc')).toBeUndefined();
    expect(javaIntegerDecode('99999999999')).toBeUndefined();
    expect([javaParseInt('-1'), javaParseInt('2147483648'), javaParseInt('1.5')]).toEqual([-1, undefined, undefined]);
    expect([javaParseLong('1099511627775'), javaParseLong('x')]).toEqual([1099511627775n, undefined]);
  });
});
