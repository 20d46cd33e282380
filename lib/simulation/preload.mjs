// Loaded with `node --import tsx --import ./lib/simulation/preload.mjs`: the console routes import the
// "server-only" marker, which throws outside Next's react-server build; served in-process by the
// simulation (as under `next start`, where Next resolves it to its empty module) it resolves the same way.
import { register } from "node:module";

register("./server-only-hook.mjs", import.meta.url);
