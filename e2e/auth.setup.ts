import { ROLES, signIn, storageStateFor, test } from "./helpers";

for (const role of [...ROLES, "sre_lead2"] as const) {
  test(`sign in as ${role}`, async ({ page }) => {
    await signIn(page, `${role}@example.com`);
    await page.context().storageState({ path: storageStateFor(role) });
  });
}
