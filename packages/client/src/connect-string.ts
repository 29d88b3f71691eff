// Connect strings as ZooKeeper reads them: "host1:2181,host2:2182/chroot/path". The chroot is
// prepended to every path sent and stripped from every path received (replies and events).
import { validatePath } from '@zkts/protocol';

export const DEFAULT_CLIENT_PORT = 2181;

export interface ServerAddress {
  host: string;
  port: number;
}

export interface ConnectString {
  servers: ServerAddress[];
  /** The chroot ('/app'), or undefined when there is none. */
  chroot: string | undefined;
}

/** Parses a connect string; throws a RangeError naming the part that is wrong. */
export function parseConnectString(text: string): ConnectString {
  const slash = text.indexOf('/');
  const hostPart = slash < 0 ? text : text.slice(0, slash);
  let chroot: string | undefined = slash < 0 ? undefined : text.slice(slash);
  if (chroot !== undefined) {
    if (chroot === '/') chroot = undefined;
    else validatePath(chroot);
  }
  const servers: ServerAddress[] = [];
  for (const raw of hostPart.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    let host: string;
    let portText: string | undefined;
    if (item.startsWith('[')) {
      const end = item.indexOf(']');
      if (end < 0) throw new RangeError(`connect string: unterminated IPv6 address in "${item}"`);
      host = item.slice(1, end);
      const rest = item.slice(end + 1);
      if (rest !== '' && !rest.startsWith(':')) throw new RangeError(`connect string: bad server "${item}"`);
      portText = rest === '' ? undefined : rest.slice(1);
    } else {
      const colon = item.lastIndexOf(':');
      host = colon < 0 ? item : item.slice(0, colon);
      portText = colon < 0 ? undefined : item.slice(colon + 1);
    }
    const port = portText === undefined ? DEFAULT_CLIENT_PORT : Number(portText);
    if (host === '' || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new RangeError(`connect string: bad server "${item}" (expected host:port)`);
    }
    servers.push({ host, port });
  }
  if (servers.length === 0) throw new RangeError(`connect string "${text}" names no server`);
  return { servers, chroot };
}

/** Translates paths between the client's view and the server's under a chroot. */
export class Chroot {
  constructor(readonly root: string | undefined) {}

  /** Client path -> server path. */
  toServer(path: string): string {
    if (this.root === undefined) return path;
    return path === '/' ? this.root : this.root + path;
  }

  /** Server path -> client path (paths outside the chroot come back unchanged). */
  toClient(path: string): string {
    const root = this.root;
    if (root === undefined) return path;
    if (path === root) return '/';
    if (path.startsWith(root) && path.charCodeAt(root.length) === 0x2f) return path.slice(root.length);
    return path;
  }
}
