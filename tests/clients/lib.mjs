// What every client script shares: its settings from the environment (set by
// tests/clients/test_clients.py), a bounded wait, a plain GraphQL POST, and one way to
// fail: a message on stderr and exit status 1, which the pytest module shows.

export function env(name) {
  const value = process.env[name];
  if (!value) fail(`${name} is not set (the scripts are run by tests/clients/test_clients.py)`);
  return value;
}

export function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

export function check(condition, message, detail) {
  if (!condition) fail(detail === undefined ? message : `${message}: ${JSON.stringify(detail)}`);
}

/** `promise`, or a failure saying `what` did not happen within `ms`. */
export async function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** POSTs an operation and returns its `data`; any error fails the script. */
export async function post(url, query, variables = {}, token = null) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  check(response.ok && !body.errors, `POST ${url} failed (${response.status})`, body);
  return body.data;
}

const UPSERT = `mutation ($e: EntityInput!, $p: ProvenanceInput!) {
  upsertEntity(entity: $e, provenance: $p) {
    __typename ... on EntityWritten { entity { id name } } } }`;

/** Creates or renames an ORGANIZATION through `url` as an editor; `locator` names the write
 * in its provenance, so that the change record it leaves can be told from the others. */
export async function upsertOrganization(url, token, id, name, locator) {
  const data = await post(
    url,
    UPSERT,
    {
      e: { id, kind: 'ORGANIZATION', name },
      p: { source: { id: 'clients-source', title: 'Client tests' }, locator },
    },
    token,
  );
  check(data.upsertEntity.__typename === 'EntityWritten', 'upsertEntity was refused', data);
  return data.upsertEntity.entity;
}

/** Prints the script's result as one JSON line: what the pytest module asserts on. */
export function report(result) {
  console.log(JSON.stringify(result));
}
