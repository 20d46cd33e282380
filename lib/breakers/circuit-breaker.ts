import type pg from "pg";
import type { CircuitBreakersRow } from "@/lib/db/rows";
import { withTransaction } from "@/lib/db/sql";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import {
  admit,
  closedSnapshot,
  fail,
  succeed,
  type Admission,
  type BreakerConfig,
  type BreakerSnapshot,
  type BreakerTransition,
  type Step,
} from "./breaker-state";

type Row = CircuitBreakersRow;

export function snapshotFromRow(row: Row): BreakerSnapshot {
  return {
    name: row.name,
    state: row.state,
    failureCount: row.failure_count,
    windowStartedAt: row.window_started_at,
    lastError: row.last_error,
    lastFailureAt: row.last_failure_at,
    openedAt: row.opened_at,
    nextAttemptAt: row.next_attempt_at,
    probeStartedAt: row.probe_started_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** The error a caller gets while a breaker refuses calls (503 with Retry-After when it reaches HTTP). */
export function circuitOpen(name: string, retryAt: Date | null, now = new Date()): AppError {
  const retryAfterSeconds = retryAt ? Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000)) : undefined;
  return new AppError("CIRCUIT_OPEN", 503, `Circuit breaker ${name} is open${retryAt ? `; next probe at ${retryAt.toISOString()}` : ""}.`, {
    breaker: name,
    retryAfterSeconds,
  });
}

export const isCircuitOpen = (error: unknown): error is AppError => error instanceof AppError && error.code === "CIRCUIT_OPEN";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * CLOSED → OPEN after `failureThreshold` failures within `windowMs`; OPEN → HALF_OPEN after `coolDownMs`,
 * letting a single probe through; the probe's success closes it, its failure re-opens it.
 *
 * The state lives in `circuit_breakers` (row-locked compare-and-set, every transition written to
 * `circuit_breaker_events`), so all instances and the console share one breaker. When the database is
 * itself what fails, the breaker keeps deciding on its in-memory copy and writes that copy, with the
 * transitions it made meanwhile, the next time the database answers.
 */
export class CircuitBreaker {
  private local: BreakerSnapshot;
  private pending: BreakerTransition[] = [];
  /** `local` holds changes the database has not seen yet. */
  private dirty = false;

  constructor(
    readonly name: string,
    readonly config: BreakerConfig,
    private readonly db: () => pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.local = closedSnapshot(name);
  }

  /** Runs `fn` through the breaker; `isFailure` turns a returned result into a failure (e.g. a run that reports an error). */
  async run<T>(fn: () => Promise<T>, options: { isFailure?: (result: T) => string | null | undefined } = {}): Promise<T> {
    const admission = await this.admit();
    if (!admission.allowed) throw circuitOpen(this.name, admission.retryAt, this.now());
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await this.recordFailure(message(error));
      throw error;
    }
    const failure = options.isFailure?.(result);
    if (failure) await this.recordFailure(failure);
    else if (admission.probe || this.dirty) await this.recordSuccess();
    return result;
  }

  admit(): Promise<Admission> {
    return this.step((s, now) => admit(s, this.config, now), true);
  }

  recordSuccess(): Promise<void> {
    return this.step((s, now) => succeed(s, this.config, now), true);
  }

  recordFailure(error: string): Promise<void> {
    return this.step((s, now) => fail(s, this.config, now, error), false);
  }

  /** The current state without admitting anything (database when reachable, else the in-memory copy). */
  async snapshot(): Promise<BreakerSnapshot> {
    if (this.dirty) return this.local;
    try {
      const { rows } = await this.db().query<Row>(`SELECT * FROM circuit_breakers WHERE name = $1`, [this.name]);
      this.local = rows[0] ? snapshotFromRow(rows[0]) : closedSnapshot(this.name);
    } catch {
      // unreachable database: the local copy is the best knowledge there is
    }
    return this.local;
  }

  /** Refusing calls right now: OPEN before its cool-down ends, or HALF_OPEN with a live probe. */
  async isRefusing(): Promise<{ refusing: boolean; snapshot: BreakerSnapshot; retryAt: Date | null }> {
    const snapshot = await this.snapshot();
    const decision = admit(snapshot, this.config, this.now());
    const refusing = !decision.result.allowed;
    return { refusing, snapshot, retryAt: decision.result.allowed ? null : decision.result.retryAt };
  }

  private async step<T>(event: (s: BreakerSnapshot, now: Date) => Step<T>, readFirst: boolean): Promise<T> {
    const now = this.now();
    try {
      return await this.persisted(event, now, readFirst);
    } catch (error) {
      const step = event(this.local, now);
      if (step.next) {
        this.local = step.next;
        this.dirty = true;
      }
      if (step.transition) {
        this.pending.push(step.transition);
        log.warn("breaker.transition", { breaker: this.name, ...step.transition, persisted: false, dbError: message(error) });
      }
      return step.result;
    }
  }

  private async persisted<T>(event: (s: BreakerSnapshot, now: Date) => Step<T>, now: Date, readFirst: boolean): Promise<T> {
    const pool = this.db();
    if (readFirst && !this.dirty) {
      // The common case (a closed breaker admitting a call) is one read and no write.
      const { rows } = await pool.query<Row>(`SELECT * FROM circuit_breakers WHERE name = $1`, [this.name]);
      const current = rows[0] ? snapshotFromRow(rows[0]) : closedSnapshot(this.name);
      const step = event(current, now);
      if (!step.next) {
        this.local = current;
        return step.result;
      }
    }
    return withTransaction(pool, async (client) => {
      await client.query(`INSERT INTO circuit_breakers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [this.name]);
      const { rows } = await client.query<Row>(`SELECT * FROM circuit_breakers WHERE name = $1 FOR UPDATE`, [this.name]);
      const stored = snapshotFromRow(rows[0]);
      // What this instance decided while the database was unreachable is newer than what is stored: adopt it.
      const adopt = this.dirty && this.local.updatedAt > stored.updatedAt;
      const base = adopt ? { ...this.local, version: stored.version } : stored;
      const step = event(base, now);
      const target = step.next ?? (adopt ? base : null);
      let saved = stored;
      if (target) {
        const updated = await client.query<Row>(
          `UPDATE circuit_breakers
              SET state = $3::"BreakerState", failure_count = $4, window_started_at = $5, last_error = $6, last_failure_at = $7,
                  opened_at = $8, next_attempt_at = $9, probe_started_at = $10, updated_at = $11, version = version + 1
            WHERE name = $1 AND version = $2
           RETURNING *`,
          [
            this.name,
            stored.version,
            target.state,
            target.failureCount,
            target.windowStartedAt,
            target.lastError,
            target.lastFailureAt,
            target.openedAt,
            target.nextAttemptAt,
            target.probeStartedAt,
            target.updatedAt,
          ],
        );
        if (!updated.rows[0]) throw new Error(`circuit breaker ${this.name} changed under its row lock`);
        saved = snapshotFromRow(updated.rows[0]);
      }
      const transitions = [...this.pending, ...(step.transition ? [step.transition] : [])];
      for (const t of transitions) {
        await client.query(
          `INSERT INTO circuit_breaker_events (breaker, from_state, to_state, reason, failure_count, at) VALUES ($1, $2::"BreakerState", $3::"BreakerState", $4, $5, $6)`,
          [this.name, t.from, t.to, t.reason, t.failureCount, t.at],
        );
      }
      if (step.transition) log.warn("breaker.transition", { breaker: this.name, ...step.transition, persisted: true });
      this.local = saved;
      this.dirty = false;
      this.pending = [];
      return step.result;
    });
  }
}
