// A loopback HTTP server (127.0.0.1, random port) that serves files and misbehaves on purpose, for the
// download tests: dropped connections, ignored Range headers, 404, 5xx, slow bodies. Records every request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body: Uint8Array;
  /** Fail this many requests with the given status first. */
  failFirst?: { count: number; status: number };
  /** For the first `count` requests, send half the body then destroy the socket. */
  dropFirst?: number;
  /** Answer 200 with the whole body even when a Range is asked. */
  ignoreRange?: boolean;
  /** Bytes per 10 ms (slow body), for kill tests. */
  throttle?: number;
  /** Send the first half of the body, then the rest once this promise settles (two-process tests). */
  gate?: Promise<unknown>;
  etag?: string;
}

export interface RequestLog {
  path: string;
  range?: string;
}

export async function startServer(routes: Record<string, Route>) {
  const log: RequestLog[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    log.push({ path: p, range: req.headers.range });
    const n = (counts.get(p) ?? 0) + 1;
    counts.set(p, n);
    const route = routes[p];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.failFirst && n <= route.failFirst.count) {
      res.writeHead(route.failFirst.status).end('fail');
      return;
    }
    const body = route.body;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const headers: Record<string, string | number> = { 'Accept-Ranges': 'bytes', ETag: route.etag ?? '"v1"' };
    if (m && !route.ignoreRange && (!ifRange || ifRange === (route.etag ?? '"v1"'))) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        ...headers,
        'Content-Length': body.length - start,
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': body.length });
    }
    const rest = body.subarray(start);
    if (route.dropFirst && n <= route.dropFirst) {
      res.write(rest.subarray(0, Math.floor(rest.length / 2)), () => res.destroy());
      return;
    }
    if (route.gate) {
      const half = Math.floor(rest.length / 2);
      res.write(rest.subarray(0, half));
      void route.gate.then(() => res.end(rest.subarray(half)));
      return;
    }
    if (route.throttle) {
      let pos = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const chunk = rest.subarray(pos, pos + route.throttle!);
        pos += chunk.length;
        if (pos >= rest.length) {
          clearInterval(timer);
          res.end(chunk);
        } else res.write(chunk);
      }, 10);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.end(rest);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
