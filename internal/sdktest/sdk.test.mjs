// Cloudflare's official TypeScript SDK (npm cloudflare 7.x) against the
// local API: every method it has for organizations, as a new user of the
// SDK would call them. Run by sdk_test.go, which starts the local API and
// passes its address and the seed's identifiers in the environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import Cloudflare from "cloudflare";

const env = process.env;
const client = (token, baseURL = env.BASE_URL) => new Cloudflare({ apiToken: token, baseURL, maxRetries: 0 });
const admin = client(env.ADMIN_TOKEN);
const pp = env.PP_ID; // Payments Platform, which has sub-organizations and a profile
const dp = env.DP_ID; // Data Platform, under which sub-organizations may be created

const isoTime = (s) => typeof s === "string" && !Number.isNaN(Date.parse(s));

test("organizations: list with auto-pagination, get", async () => {
  const seen = [];
  for await (const org of admin.organizations.list({ parent: { id: pp }, page_size: 50 })) {
    seen.push(org);
  }
  assert.ok(seen.length >= 2, `children of Payments Platform: ${seen.length}`);
  for (const o of seen) {
    assert.equal(typeof o.id, "string");
    assert.ok(isoTime(o.create_time), o.create_time);
    assert.equal(o.parent.id, pp);
    const f = o.meta.tenant_flags;
    if (f) {
      for (const k of ["account_creation", "account_creation_applies_tenant_defaults", "account_deletion", "account_migration",
        "account_mobility", "enterprise_capability", "member_management", "sub_org_creation"]) {
        assert.equal(typeof f[k], "string", `tenant_flags.${k} of ${o.name}`);
      }
    }
    assert.ok(Array.isArray(o.meta.hierarchy_tags) && o.meta.hierarchy_tags.at(-1) === o.id && o.meta.hierarchy_tags.at(-2) === pp,
      `hierarchy_tags of ${o.name}: ${o.meta.hierarchy_tags}`);
  }
  const roots = [];
  for await (const org of admin.organizations.list({ parent: { id: "null" } })) roots.push(org);
  assert.ok(roots.length >= 1 && roots.every((o) => !o.parent && o.meta.hierarchy_tags.length === 1 && o.meta.hierarchy_tags[0] === o.id));
  const got = await admin.organizations.get(pp);
  assert.equal(got.id, pp);
  assert.equal(typeof got.name, "string");
  assert.equal(typeof got.profile.business_name, "string");
  const named = await admin.organizations.list({ name: { contains: "payments" } });
  assert.ok(named.result.some((o) => o.id === pp), "name.contains finds Payments Platform");
});

test("organizations: create, update with a name only, delete", async () => {
  // Payments Platform's sub_org_creation is disabled: Cloudflare's error, as the SDK's class
  await assert.rejects(admin.organizations.create({ name: "SDK team", parent: { id: pp } }), Cloudflare.BadRequestError);
  const created = await admin.organizations.create({ name: "SDK team", parent: { id: dp }, profile: {
    business_name: "SDK team Ltd", business_email: "sdk@example.com", business_phone: "+1 555 0100",
    business_address: "1 Main St", external_metadata: '{"k":1}' } });
  assert.equal(created.parent.id, dp);
  assert.equal(created.name, "SDK team");
  // the SDK documents update as "Update an organization's name": the rest stays
  const renamed = await admin.organizations.update(created.id, { name: "SDK team renamed" });
  assert.equal(renamed.name, "SDK team renamed");
  assert.equal(renamed.parent?.id, dp, "a name-only update moved the organization");
  assert.equal(renamed.profile?.business_name, "SDK team Ltd", "a name-only update cleared the profile");
  const del = await admin.organizations.delete(created.id);
  assert.equal(del.id, created.id);
  await assert.rejects(admin.organizations.get(created.id), Cloudflare.NotFoundError);
});

test("organization profile: get and update", async () => {
  const before = await admin.organizations.organizationProfile.get(pp);
  await admin.organizations.organizationProfile.update(pp, { ...before, business_phone: "+1 415 555 0199" });
  const after = await admin.organizations.organizationProfile.get(pp);
  assert.equal(after.business_phone, "+1 415 555 0199");
  assert.equal(after.business_name, before.business_name);
});

test("audit logs: cursor paging, exclusions, a resource's history", async () => {
  const since = new Date(Date.parse(env.NOW) - 90 * 86400e3).toISOString();
  const before = new Date(Date.parse(env.NOW) + 3600e3).toISOString();
  const page = await admin.organizations.logs.audit.list(pp, { since, before, limit: 25, direction: "desc" });
  assert.equal(page.result.length, 25);
  assert.ok(page.hasNextPage(), "a full page has a next one");
  let n = 0, last = Infinity, update;
  for await (const e of admin.organizations.logs.audit.list(pp, { since, before, limit: 200, action_type: { not: ["view"] }, action_result: { not: ["failure"] } })) {
    assert.notEqual(e.action.type, "view");
    assert.notEqual(e.action.result, "failure");
    const t = Date.parse(e.action.time);
    assert.ok(t <= last, "newest first");
    last = t;
    assert.equal(typeof e.id, "string");
    if (e.actor.type === "user") assert.equal(typeof e.actor.email, "string", `actor of ${e.id}`);
    assert.equal(typeof e.raw.status_code, "number");
    if (!update && e.action.type === "update" && e.resource.id) update = e;
    n++;
  }
  assert.ok(n > 200, `auto-pagination across pages read ${n} entries`);
  const history = await admin.organizations.logs.audit.history(update.id, { organization_id: pp, action_time: update.action.time, since, before });
  assert.ok(Array.isArray(history) && history.length >= 1 && history.every((e) => e.resource.id === update.resource.id),
    `history of ${update.resource.id}: ${history.length} entries`);
  // the status is in result_info, which the SDK unwraps away: read it raw
  const raw = await admin.organizations.logs.audit.history(update.id, { organization_id: pp, action_time: update.action.time, since, before }).asResponse();
  assert.equal((await raw.json()).result_info.history_status, "exact");
  await assert.rejects(admin.organizations.logs.audit.history("0123456789abcdef0123456789abcdef", { organization_id: pp, action_time: update.action.time, since, before }),
    Cloudflare.NotFoundError);
});

test("billable usage", async () => {
  const to = new Date(Date.parse(env.NOW) - 86400e3).toISOString().slice(0, 10);
  const from = new Date(Date.parse(env.NOW) - 7 * 86400e3).toISOString().slice(0, 10);
  const records = await admin.organizations.billing.usage.get(pp, { from, to });
  assert.ok(records.length > 0, "no usage records");
  for (const r of records.slice(0, 50)) {
    assert.equal(r.ChargeCategory, "Usage");
    assert.equal(r.ChargeFrequency, "Usage-Based");
    assert.ok(isoTime(r.ChargePeriodStart) && isoTime(r.ChargePeriodEnd));
    assert.equal(typeof r.ConsumedQuantity, "number");
    assert.equal(typeof r.x_BillableMetricId, "string");
    if (r.EffectiveCost != null) assert.equal(typeof r.BillingCurrency, "string");
  }
  await assert.rejects(admin.organizations.billing.usage.get(pp, { from: "2026-01-01", to: "2026-03-01" }), Cloudflare.BadRequestError);
});

test("errors come out as the SDK's classes", async () => {
  await assert.rejects(client("not-a-token").organizations.get(pp), Cloudflare.AuthenticationError);
  await assert.rejects(client(env.EXPIRED_TOKEN).organizations.get(pp), (e) => e instanceof Cloudflare.AuthenticationError && e.status === 401);
  await assert.rejects(client(env.VIEWER_TOKEN).organizations.create({ name: "no" }), Cloudflare.PermissionDeniedError);
  await assert.rejects(admin.organizations.get("0123456789abcdef0123456789abcdef"), Cloudflare.NotFoundError);
  await assert.rejects(admin.organizations.create({ name: "" }), Cloudflare.BadRequestError);
  await assert.rejects(client(env.ADMIN_TOKEN, env.LIMITED_URL).organizations.get(pp), (e) => {
    assert.ok(e instanceof Cloudflare.RateLimitError, `${e.constructor.name}: ${e.message}`);
    assert.equal(e.status, 429);
    assert.equal(e.headers.get("retry-after"), "30");
    return true;
  });
});

test("account audit logs: list, history, product categories", async () => {
  const since = new Date(Date.parse(env.NOW) - 90 * 86400e3).toISOString();
  const before = new Date(Date.parse(env.NOW) + 3600e3).toISOString();
  const account_id = env.ACCOUNT_ID;
  const categories = [];
  for await (const c of admin.accounts.logs.audit.productCategories({ account_id })) categories.push(c);
  const dev = categories.find((c) => c.value === "developer_platform");
  assert.ok(dev && dev.products.some((p) => p.value === "workers"), JSON.stringify(categories));
  let n = 0, update;
  for await (const e of admin.accounts.logs.audit.list({ account_id, since, before, limit: 50, action_type: { not: ["view"] } })) {
    assert.equal(e.account.id, account_id);
    assert.notEqual(e.action.type, "view");
    if (!update && e.action.type === "update" && e.resource.id) update = e;
    n++;
  }
  assert.ok(n > 20, `the account's log read ${n} entries`);
  for await (const e of admin.accounts.logs.audit.list({ account_id, since, before, product_category: ["developer_platform"] })) {
    assert.ok(["workers", "r2", "pages"].includes(e.resource.product), e.resource.product);
  }
  const history = await admin.accounts.logs.audit.history(update.id, { account_id, action_time: update.action.time, since, before });
  assert.ok(history.length >= 1 && history.every((e) => e.resource.id === update.resource.id));
  await assert.rejects(client(env.EDITOR_TOKEN).accounts.logs.audit.list({ account_id: env.OTHER_ACCOUNT_ID, since, before }),
    Cloudflare.PermissionDeniedError);
});

test("account billable usage in each generation's shape", async () => {
  const to = new Date(Date.parse(env.NOW) - 86400e3).toISOString().slice(0, 10);
  const from = new Date(Date.parse(env.NOW) - 7 * 86400e3).toISOString().slice(0, 10);
  const account_id = env.ACCOUNT_ID;
  const org = (await admin.organizations.billing.usage.get(pp, { from, to })).filter((r) => r.BillingAccountId === account_id);
  const v2 = await admin.billing.usage.getAccountUsageV2({ account_id, from, to });
  assert.deepEqual(v2, org, "the account's records are its share of its organization's");
  const v1 = await admin.billing.usage.getAccountUsageV1({ account_id, from, to });
  assert.equal(v1.length, org.filter((r) => r.ChargeClass !== "Correction").length);
  for (const r of v1) {
    assert.equal(r.ChargeClass, null);
    assert.equal(typeof r.CumulatedContractedCost, "number");
    assert.ok(r.CumulatedPricingQuantity >= r.PricingQuantity - 1e-9);
  }
  const info = await admin.billing.usage.paygoInfo({ account_id });
  assert.equal(info.covered, true);
  assert.equal(info.subscriptions.length, 1);
});

test("the user: edit, and the legacy e-mail and key", async () => {
  const byKey = new Cloudflare({ apiEmail: env.ADMIN_EMAIL, apiKey: env.ADMIN_KEY, baseURL: env.BASE_URL, maxRetries: 0 });
  const edited = await byKey.user.edit({ first_name: "Alex", country: "DE", zipcode: "10115" });
  assert.equal(edited.country, "DE");
  const me = await admin.user.get();
  assert.equal(me.zipcode, "10115");
  await assert.rejects(admin.user.edit({ country: "Germany" }), Cloudflare.BadRequestError);
  const org = await byKey.organizations.get(pp);
  assert.equal(org.id, pp);
  const wrong = new Cloudflare({ apiEmail: env.ADMIN_EMAIL, apiKey: "not-the-key", baseURL: env.BASE_URL, maxRetries: 0 });
  await assert.rejects(wrong.organizations.get(pp), Cloudflare.AuthenticationError);
});
