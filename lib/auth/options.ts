import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { pool, prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { verifyPassword } from "./passwords";
import { recordSignIn } from "./users";

type OidcProfile = { sub: string; email?: string; name?: string };

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
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          const email = credentials?.email?.trim().toLowerCase();
          if (!email || !credentials?.password) return null;
          const user = await prisma().user.findUnique({ where: { email } });
          if (!user?.passwordHash || !(await verifyPassword(credentials.password, user.passwordHash))) return null;
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
      ...oidcProvider(),
    ],
    callbacks: {
      // SSO users must already exist (roles are granted in the console's database, never by the IdP).
      async signIn({ user, account }) {
        if (account?.provider !== "oidc") return true;
        const email = user.email?.toLowerCase();
        return Boolean(email && (await prisma().user.findUnique({ where: { email } })));
      },
      async jwt({ token, user }) {
        if (user?.email) {
          // The session version goes into the token; a disabled user gets none, so their session is refused.
          const record = await recordSignIn(pool(), user.email);
          if (record) Object.assign(token, { sub: record.id, sessionVersion: record.sessionVersion });
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub, sessionVersion: token.sessionVersion } };
      },
    },
  };
}
