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
};

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients,
  cookies: { keys: ["tryghed-tests-only"] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  scopes: ["openid", "email", "profile"],
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, ...(ACCOUNTS[id] || {}) }; } };
  },
});
provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
