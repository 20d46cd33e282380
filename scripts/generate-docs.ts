/** `npm run docs`: writes the generated documents in docs/ (OpenAPI, roles, signals); a test fails when they drift. */
import { writeFileSync } from "node:fs";
import { generatedDocs } from "../lib/docs/generated-docs";

for (const [file, content] of Object.entries(generatedDocs())) {
  writeFileSync(file, content);
  console.log(`${file} written`);
}
