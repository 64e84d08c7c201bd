// A real OpenID Connect provider for the single sign-on tests (panva's oidc-provider).
// Usage: node provider.mjs <port> <clients.json>. The development login form takes any
// password; the login typed is the subject, and its claims come from ACCOUNTS below.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("./node/", import.meta.url));
const Provider = (await import(require.resolve("oidc-provider"))).default;

const port = Number(process.argv[2]);
const clients = JSON.parse(readFileSync(process.argv[3], "utf8"));

// login -> claims. Anything else is an identity with no e-mail at all.
const ACCOUNTS = {
  anna: { email: "Anna.Admin@Acme.example", email_verified: true, name: "Anna" },
  lea: { email: "lea.leader@acme.example", email_verified: true, name: "Lea" },
  stranger: { email: "stranger@acme.example", email_verified: true },
  outside: { email: "leader@other.example", email_verified: true },
  unverified: { email: "lea.leader@acme.example", email_verified: false },
  consultant: { email: "consultant@acme.example", email_verified: true },
  // Like Microsoft Entra ID: no email_verified, its xms_edov in the ID token only.
  edov: { email: "lea.leader@acme.example", xms_edov: true, tid: "acme-tenant" },
};
// Claims only Entra's ID token carries (optional claims), never its userinfo answer.
const ID_TOKEN_ONLY = ["xms_edov", "tid"];

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients,
  cookies: { keys: ["tryghed-tests-only"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified", ...ID_TOKEN_ONLY],
    profile: ["name"],
  },
  scopes: ["openid", "email", "profile"],
  // The ID token carries the e-mail claims as Entra's does, not only the userinfo answer.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims(use) {
        const claims = { sub: id, ...(ACCOUNTS[id] || {}) };
        if (use !== "id_token") for (const name of ID_TOKEN_ONLY) delete claims[name];
        return claims;
      },
    };
  },
});
provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
