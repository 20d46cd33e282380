"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { "content-type": "application/json", ...init?.headers } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(body?.error?.message ?? `Request failed (${response.status})`, response.status, body?.error?.code ?? "HTTP");
  return body as T;
}

/** A live console query: refreshes every few seconds, keeps showing the last good data on error. */
export function useLive<T>(key: unknown[], path: string, initialData?: T) {
  // When the server rendered the initial data: taken once, on the first render.
  const [renderedAt] = useState(() => Date.now());
  return useQuery<T>({
    queryKey: key,
    queryFn: () => call<T>(path),
    initialData,
    initialDataUpdatedAt: initialData ? renderedAt : undefined,
    refetchInterval: 4000,
  });
}

/** An operator action: POST JSON, then refresh everything on screen so the result shows at once. */
export function useAction<TBody, TResult = unknown>(path: string | ((body: TBody) => string)) {
  const client = useQueryClient();
  return useMutation<TResult, ApiError, TBody>({
    mutationFn: (body) => call<TResult>(typeof path === "function" ? path(body) : path, { method: "POST", body: JSON.stringify(body) }),
    onSettled: () => client.invalidateQueries(),
  });
}
