import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseProperties } from './properties.js';

const kv = (text: string) => parseProperties(text).map((e) => [e.key, e.value, e.line]);

describe('parseProperties (Java Properties.load rules)', () => {
  it('accepts =, : and whitespace as separators, with spaces around them', () => {
    expect(kv('a=1\nb:2\nc 3\nd = 4\ne : 5\nf\t\t6\ng  =  7')).toEqual([
      ['a', '1', 1], ['b', '2', 2], ['c', '3', 3], ['d', '4', 4], ['e', '5', 5], ['f', '6', 6], ['g', '7', 7],
    ]);
  });

  it('skips # and ! comments and blank lines, even indented ones', () => {
    expect(kv('# c\n  ! c2\n\n   \nk=v # not a comment')).toEqual([['k', 'v # not a comment', 5]]);
  });

  it('trims the value as ZooKeeper does (Properties keeps trailing spaces; QuorumPeerConfig trims)', () => {
    expect(kv('k = v   \t')).toEqual([['k', 'v', 1]]);
  });

  it('joins continuation lines, dropping leading whitespace of the next line', () => {
    expect(kv('server.1=a:1:\\\n     2\nnext=x')).toEqual([['server.1', 'a:1:2', 1], ['next', 'x', 3]]);
  });

  it('an even number of trailing backslashes is an escaped backslash, not a continuation', () => {
    expect(kv('k=a\\\\\nn=1')).toEqual([['k', 'a\\', 1], ['n', '1', 2]]);
  });

  it('a comment line ending in a backslash does not continue', () => {
    expect(kv('# x \\\nk=v')).toEqual([['k', 'v', 2]]);
  });

  it('resolves escapes in keys and values, including \\uXXXX', () => {
    expect(kv('a\\=b=c\\:d\nu=\\u0041\\t!\nx\\ y=z')).toEqual([
      ['a=b', 'c:d', 1], ['u', 'A\t!', 2], ['x y', 'z', 3],
    ]);
  });

  it('rejects a malformed \\u escape with the line number', () => {
    expect(() => parseProperties('a=1\nb=\\u12', 'z.cfg')).toThrowError(/z\.cfg:2: malformed/);
    expect(() => parseProperties('b=\\u12zz')).toThrow(ConfigError);
  });

  it('accepts CRLF and CR line ends, and a key with no value', () => {
    expect(kv('a=1\r\nb=2\rc')).toEqual([['a', '1', 1], ['b', '2', 2], ['c', '', 3]]);
  });
});
