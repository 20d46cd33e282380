import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError, forbidden } from "@/lib/errors";
import { csrfTokenFromCookie } from "./csrf-cookie";
import { authOptions } from "./options";
import { signInErrorMessage, signInErrorParam } from "./sign-in-errors";
import { signInThrottled } from "./sign-in-throttle";

describe("where next-auth sends the browser after sign-in", () => {
  const redirect = (url: string) => authOptions().callbacks!.redirect!({ url, baseUrl: "http://console.test" });

  it("follows a same-origin path or URL", async () => {
    expect(await redirect("/uploads?status=failed")).toBe("http://console.test/uploads?status=failed");
    expect(await redirect("http://console.test/ga")).toBe("http://console.test/ga");
  });

  it("never another origin or a script", async () => {
    for (const hostile of [
      "javascript:alert(document.cookie)",
      "https://elsewhere.example/",
      "//elsewhere.example",
      "/\\elsewhere.example",
      "http://console.test.elsewhere.example/",
      " javascript:alert(1)",
    ]) {
      expect(await redirect(hostile)).toBe("http://console.test/");
    }
  });
});

describe("the sign-in page's error messages", () => {
  it("say how long a throttled sign-in must wait", () => {
    const param = signInErrorParam(signInThrottled(14 * 60 + 5));
    expect(param).toBe("SignInThrottled:15");
    expect(signInErrorMessage(param)).toBe("Too many failed sign-ins for this account or from your network. Try again in 15 minutes.");
    expect(signInErrorMessage("SignInThrottled:1")).toMatch(/Try again in 1 minute\.$/);
  });

  it("never echo text from the URL", () => {
    for (const crafted of ["Your account is locked, call +1 555 0100", "<img src=x onerror=alert(1)>", "SignInThrottled:15 call us", "toString", "__proto__"]) {
      expect(signInErrorMessage(crafted)).toBe("Sign-in failed. Try again.");
    }
    expect(signInErrorMessage("SignInThrottled:9999")).toMatch(/Try again in 15 minutes\.$/);
    expect(signInErrorMessage(undefined)).toBeNull();
  });

  it("map SSO refusals by code, and anything else to a generic code", () => {
    expect(signInErrorMessage(signInErrorParam(forbidden("x", "OIDC_EMAIL_UNVERIFIED")))).toMatch(/not verified the email address/);
    expect(signInErrorMessage(signInErrorParam(forbidden("x", "OIDC_NO_ACCOUNT")))).toMatch(/no access to this console/);
    expect(signInErrorParam(new AppError("SOMETHING", 500, "secret detail"))).toBe("Callback");
    expect(signInErrorParam(new Error("secret detail"))).toBe("Callback");
  });
});

describe("next-auth's csrf cookie", () => {
  const cookie = (token: string, secret: string) => `${token}|${createHash("sha256").update(`${token}${secret}`).digest("hex")}`;

  it("gives the form its token only when next-auth will accept it", () => {
    expect(csrfTokenFromCookie(cookie("abc123", "s3cret-s3cret-s3cret"), "s3cret-s3cret-s3cret")).toBe("abc123");
    expect(csrfTokenFromCookie(cookie("abc123", "another-secret-xyz"), "s3cret-s3cret-s3cret")).toBeNull();
    expect(csrfTokenFromCookie("abc123", "s3cret-s3cret-s3cret")).toBeNull();
    expect(csrfTokenFromCookie(undefined, "s3cret-s3cret-s3cret")).toBeNull();
  });
});
