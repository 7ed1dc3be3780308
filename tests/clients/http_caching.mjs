// HTTP revalidation with fetch, as a browser app or a CDN does it: a query sent with GET
// to one instance (READ_URL) carries an ETag; `If-None-Match` with it answers 304 with no
// body until a write, made through the other instance (WRITE_URL), commits; then 200
// with the new data and a new ETag, which is in turn answered 304.
//
// Prints {"steps": [{status, etag, cacheControl, name}, ...]}.
import { check, env, fail, report, upsertOrganization } from './lib.mjs';

const READ_URL = env('READ_URL');
const WRITE_URL = env('WRITE_URL');
const TOKEN = env('EDITOR_TOKEN');
const ID = env('ENTITY_ID');

const url = `${READ_URL}?${new URLSearchParams({
  query: 'query Org($id: ID!) { entity(id: $id) { id name } }',
  variables: JSON.stringify({ id: ID }),
})}`;
const steps = [];

async function get(etag) {
  const headers = { accept: 'application/graphql-response+json' };
  if (etag) headers['if-none-match'] = etag;
  const response = await fetch(url, { headers });
  const text = await response.text();
  const step = {
    status: response.status,
    etag: response.headers.get('etag'),
    cacheControl: response.headers.get('cache-control'),
    version: response.headers.get('x-graph-version'),
    name: text ? JSON.parse(text).data?.entity?.name ?? null : null,
    bodyBytes: text.length,
  };
  steps.push(step);
  return step;
}

try {
  await upsertOrganization(WRITE_URL, TOKEN, ID, 'Cached Before', 'caching 1');
  const first = await get();
  check(first.status === 200 && first.etag && first.name === 'Cached Before', 'the first GET', first);
  const unchanged = await get(first.etag);
  check(unchanged.status === 304 && unchanged.bodyBytes === 0, 'nothing changed, yet no 304', unchanged);

  await upsertOrganization(WRITE_URL, TOKEN, ID, 'Cached After', 'caching 2');
  const changed = await get(first.etag);
  check(
    changed.status === 200 && changed.name === 'Cached After' && changed.etag && changed.etag !== first.etag,
    'after a write through the other instance, the old ETag was not refused with new data and a new ETag',
    changed,
  );
  const again = await get(changed.etag);
  check(again.status === 304, 'the new ETag is not answered 304', again);
  report({ steps });
} catch (error) {
  fail(`${error.stack || error}; steps so far: ${JSON.stringify(steps)}`);
}
