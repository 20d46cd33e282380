/**
 * The one builder of WHERE clauses from optional filters. Each condition is a function of its
 * parameter placeholder, so a value is only ever sent as a bind parameter, never spliced into SQL.
 */
export class Filter {
  private readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  /** Binds a value and returns its placeholder ($n), for conditions or LIMITs built by hand. */
  bind(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** A condition on one bound value; skipped when the filter is unset (undefined, null or ""; false applies). */
  where(condition: (placeholder: string) => string, value: unknown): this {
    if (value !== undefined && value !== null && value !== "") this.conditions.push(condition(this.bind(value)));
    return this;
  }

  /** A condition without a value. */
  whereSql(condition: string | false | undefined): this {
    if (condition) this.conditions.push(condition);
    return this;
  }

  /** Case-insensitive "contains", with the user's `%`, `_` and `\` taken literally. */
  contains(columns: string | string[], text: string | undefined): this {
    if (!text) return this;
    const p = this.bind(`%${escapeLike(text)}%`);
    const list = Array.isArray(columns) ? columns : [columns];
    this.conditions.push(`(${list.map((c) => `${c} ILIKE ${p}`).join(" OR ")})`);
    return this;
  }

  /** The conditions joined with AND ("true" when there are none), for use after WHERE or AND. */
  get conjunction(): string {
    return this.conditions.length ? this.conditions.join(" AND ") : "true";
  }

  /** "WHERE …", or "" when there is nothing to filter on. */
  get clause(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(" AND ")}` : "";
  }
}

/** ILIKE/LIKE pattern text matching `text` literally (PostgreSQL's default escape character is `\`). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
