import { hostname } from "node:os";

/** This process's name in worker runs, leases and readiness samples: host and pid. */
export const INSTANCE_ID = `${hostname()}:${process.pid}`;
