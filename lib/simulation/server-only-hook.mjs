// Module resolution for the console routes served in-process by the simulation, as Next's bundler
// resolves them under `next start`: the "server-only" marker is its react-server entry (an empty
// module), and a CommonJS module's `exports.default` is the default import (next-auth's providers).
const EMPTY = new URL("../../node_modules/server-only/empty.js", import.meta.url).href;
const INTEROP = "sim-interop:";
const CJS_DEFAULT = new Set(["next-auth/providers/credentials"]);

export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: EMPTY, shortCircuit: true };
  if (CJS_DEFAULT.has(specifier)) {
    const real = await next(specifier, context);
    return { url: `${INTEROP}${real.url}`, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith(INTEROP)) {
    const real = url.slice(INTEROP.length);
    return { format: "module", shortCircuit: true, source: `import m from ${JSON.stringify(real)};\nexport default m.default ?? m;\n` };
  }
  return next(url, context);
}
