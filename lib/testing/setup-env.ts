import { inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.CRON_SECRET ??= "test-cron-secret-0123456789";
process.env.LOG_LEVEL ??= "error";
process.env.DATA_DIR ??= ".data/test";
