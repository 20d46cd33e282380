import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

const SOURCES = ["app", "lib", "components", "generated", "instrumentation.ts", "next.config.mjs", "package-lock.json", "tsconfig.json", "postcss.config.mjs"];

function newestSource(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return /\.test\.ts$/.test(entry) ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestSource(path.join(entry, name))));
}

/**
 * A production build of the current sources: `.next` is reused when it is newer than every source
 * file, otherwise built once under /tmp/heavy.lock (builds are heavy; the machine is shared).
 */
export function ensureProductionBuild() {
  const buildId = ".next/BUILD_ID";
  if (existsSync(buildId) && statSync(buildId).mtimeMs > Math.max(...SOURCES.map(newestSource))) return "reused";
  const built = spawnSync("flock", ["/tmp/heavy.lock", process.execPath, "node_modules/next/dist/bin/next", "build"], {
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (built.status !== 0) throw new Error(`next build failed:\n${built.stdout}\n${built.stderr}`);
  return "built";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type AppInstance = {
  name: string;
  url: string;
  child: ChildProcess;
  /** The instance id its workers write into locked_by and worker_runs (hostname:pid). */
  pid: number;
  /** Every JSON log line it printed. */
  logs: () => Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
};

/** `next start` as its own process (node itself, no launcher in between: a signal reaches the server), ready when /ready is green. */
export async function startInstance(name: string, env: Record<string, string>): Promise<AppInstance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    env: { ...process.env, ...env, PORT: String(port), NEXTAUTH_URL: url, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let tail = "";
  const collect = (chunk: Buffer) => {
    const text = tail + chunk.toString();
    const parts = text.split("\n");
    tail = parts.pop() ?? "";
    lines.push(...parts);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const logs = () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${url}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not become ready:\n${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { name, url, child, pid: child.pid!, logs, exited };
}

/** Signs in with the credentials provider over HTTP and answers the session cookie header. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const response = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.includes("session-token"));
  if (!session) throw new Error(`sign-in as ${email} failed (${response.status})`);
  return [...jar, session].join("; ");
}
