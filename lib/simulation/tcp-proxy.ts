import net from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that the simulation can cut: while down it destroys every open
 * connection and refuses new ones (accepted, then reset at once), as a database outage looks to a client.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let down = false;
  let refused = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) {
      refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get down() {
      return down;
    },
    get refused() {
      return refused;
    },
    /** Cuts the database off (every connection dropped) or lets it through again. */
    setDown(value: boolean) {
      down = value;
      if (value) for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
