/** The one error type of the application: a stable code, an HTTP status and a message safe to show. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: { retryAfterSeconds?: number; [key: string]: unknown },
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (message: string, code = "INVALID_REQUEST") => new AppError(code, 400, message);
export const unauthorized = (message = "Sign in or send a valid credential.") => new AppError("UNAUTHORIZED", 401, message);
export const forbidden = (message: string, code = "FORBIDDEN") => new AppError(code, 403, message);
export const notFound = (what: string) => new AppError("NOT_FOUND", 404, `${what} not found.`);
export const conflict = (message: string, code = "CONFLICT") => new AppError(code, 409, message);
