import { defineConfig } from "@playwright/test";
import { existsSync } from "node:fs";

const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://localhost:${port}`;
export const E2E_DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/ingestion`;

/** The OIDC provider that e2e/oidc.spec.ts starts on this fixed port; the console is configured for it. */
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 1000);
export const E2E_OIDC = {
  port: oidcPort,
  issuer: `http://127.0.0.1:${oidcPort}`,
  clientId: "ops-console-e2e",
  clientSecret: "ops-console-e2e-client-secret",
  name: "Test SSO",
};

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "e2e", dependencies: ["setup"], testIgnore: /auth\.setup\.ts/ },
  ],
  webServer: {
    // A production build on a fresh embedded database under .data/e2e.
    command: "rm -rf .data/e2e && tsx --conditions=react-server scripts/start.ts prod",
    url: `${baseURL}/ready`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      DATA_DIR: ".data/e2e",
      EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? "54339",
      NODE_ENV: "test",
      SCHEDULER_INTERVAL_MS: "500",
      LOG_LEVEL: "warn",
      METRICS_TOKEN: "e2e-metrics-token-0123",
      OIDC_ISSUER: E2E_OIDC.issuer,
      OIDC_CLIENT_ID: E2E_OIDC.clientId,
      OIDC_CLIENT_SECRET: E2E_OIDC.clientSecret,
      OIDC_NAME: E2E_OIDC.name,
    },
  },
});
