import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/openapi.json/route";
import { SIGNAL_IDS } from "@/lib/signals/catalog";
import { generatedDocs } from "./generated-docs";

describe("the generated documents in docs/", () => {
  it.each(Object.entries(generatedDocs()))("%s matches the code (run `npm run docs` after changing it)", (file, content) => {
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("signals.md names every signal and roles.md every role", () => {
    const docs = generatedDocs();
    for (const id of SIGNAL_IDS) expect(docs["docs/signals.md"]).toContain(`\`${id}\``);
    expect(docs["docs/roles.md"]).toContain("| action | viewer | oncall | sre_lead | ingestion_owner | pm | support_lead | eng_lead | admin |");
  });

  it("the OpenAPI document is served at /api/v1/openapi.json and describes the form fields and every DTO field", async () => {
    const doc = await (await GET()).json();
    expect(doc).toEqual(JSON.parse(generatedDocs()["docs/openapi.json"]));
    const form = doc.paths["/api/v1/uploads"].post.requestBody.content["multipart/form-data"].schema;
    expect(form.required).toEqual(expect.arrayContaining(["workspace_id", "platform", "file"]));
    expect(form.properties.platform.enum).toEqual(["meta", "google", "tiktok"]);
    const dto = doc.paths["/api/v1/uploads/{id}"].get.responses["200"].content["application/json"].schema;
    expect(Object.keys(dto.properties)).toEqual(expect.arrayContaining(["status", "totalRows", "validRows", "invalidRows", "ignoredRows", "promotedRows"]));
  });
});
