// A TCP relay in front of the test Dovecot that can end every session the way Exchange Online does
// when the access token behind it lapses: an untagged `* BYE Session invalidated - AccessTokenExpired`
// and a closed connection. Dovecot itself never ends a session over its token.
import net from 'node:net';

export interface ByeProxy {
  port: number;
  /** Connections made through the relay so far. */
  readonly connections: number;
  /** Sends `* BYE <text>` to every open client session and closes it. */
  byeAll(text: string): number;
  close(): Promise<void>;
}

export async function startByeProxy(target: { host: string; port: number }): Promise<ByeProxy> {
  const open = new Set<{ client: net.Socket; server: net.Socket }>();
  let connections = 0;
  const relay = net.createServer((client) => {
    connections += 1;
    const server = net.connect(target.port, target.host);
    const pair = { client, server };
    open.add(pair);
    const end = (): void => {
      open.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
  return {
    port: (relay.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    byeAll(text) {
      const n = open.size;
      for (const { client, server } of [...open]) {
        server.unpipe(client);
        server.destroy();
        client.end(`* BYE ${text}\r\n`);
      }
      return n;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const { client, server } of open) {
          client.destroy();
          server.destroy();
        }
        relay.close(() => r());
      }),
  };
}
