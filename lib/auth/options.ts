import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import type { TokenSet } from "openid-client";
import { db, pool } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { safeCallbackPath } from "./safe-redirect";
import { checkCredentials, credentialsSchema } from "./check-credentials";
import { findUserByOidcSub, resolveOidcUser } from "./resolve-oidc-user";
import { signInErrorParam } from "./sign-in-errors";
import { signInClientAddress } from "./sign-in-throttle";
import { recordSignIn } from "./users";

type OidcProfile = { sub: string; email?: string; email_verified?: unknown; name?: string };

function oidcProvider(): OAuthConfig<OidcProfile>[] {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME } = env();
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return [];
  return [
    {
      id: "oidc",
      name: OIDC_NAME,
      type: "oauth",
      wellKnown: `${OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      // The verified ID token's claims, completed by the userinfo endpoint (many providers put email and
      // email_verified only there); openid-client refuses userinfo whose sub differs from the ID token's.
      userinfo: {
        async request({ client, tokens }) {
          const tokenSet = tokens as TokenSet; // what next-auth passes at run time
          return { ...tokenSet.claims(), ...(await client.userinfo(tokenSet)) };
        },
      },
      clientId: OIDC_CLIENT_ID,
      clientSecret: OIDC_CLIENT_SECRET,
      profile: (profile) => ({ id: profile.sub, email: profile.email, name: profile.name }),
    },
  ];
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    // Errors outside next-auth's own list (a throttled sign-in, a refused SSO account) land on the sign-in page too.
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const input = credentialsSchema.safeParse(credentials);
          if (!input.success) return null;
          try {
            return await checkCredentials(db(), { ...input.data, address: signInClientAddress(request?.headers) });
          } catch (error) {
            // next-auth puts this message in the sign-in page's URL: a code, never the error's text.
            throw new Error(signInErrorParam(error));
          }
        },
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      // SSO users must already exist (roles are granted in the console's database, never by the IdP);
      // the provider's sub links them (lib/auth/resolve-oidc-user.ts).
      async signIn({ account, profile }) {
        if (account?.provider !== "oidc") return true;
        try {
          await resolveOidcUser(pool(), profile);
          return true;
        } catch (error) {
          if (error instanceof AppError) return `/signin?error=${signInErrorParam(error)}`;
          throw error;
        }
      },
      // Only a same-origin path, whatever callbackUrl a link or a form carried.
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeCallbackPath(url, baseUrl)}`;
      },
      async jwt({ token, user, account }) {
        if (user) {
          // An SSO user is the one the provider's sub is linked to; a password user is the one authorize() found.
          const email = account?.provider === "oidc" ? (await findUserByOidcSub(pool(), account.providerAccountId))?.email : user.email;
          if (!email) throw new Error("Callback");
          // The session version goes into the token; a disabled user gets none, so their session is refused.
          const record = await recordSignIn(pool(), email);
          if (record) Object.assign(token, { sub: record.id, email, sessionVersion: record.sessionVersion });
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub, sessionVersion: token.sessionVersion } };
      },
    },
  };
}
