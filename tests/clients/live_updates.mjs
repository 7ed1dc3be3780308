// graphql-ws's client against two service instances: it subscribes to an entity through
// one (SUBSCRIBE_URL), the entity is written through the other (WRITE_URL), and each
// event must arrive within EVENT_BOUND_MS. Then its socket is cut (the client's own
// `terminate`, what it does when a connection freezes), two writes commit while it is
// away, and the client's automatic reconnect resubscribes `after` the last event it saw:
// it must get both missed writes, then live ones, each once and in commit order.
//
// Prints {"latenciesMs": [...], "mutationsMs": [...], "events": [...], "connections": n}.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { check, env, fail, report, upsertOrganization, within } from './lib.mjs';

const SUBSCRIBE_URL = env('SUBSCRIBE_URL'); // ws://.../graphql of instance A
const READ_URL = env('READ_URL'); // http://.../graphql of instance A
const WRITE_URL = env('WRITE_URL'); // http://.../graphql of instance B
const TOKEN = env('EDITOR_TOKEN');
const ID = env('ENTITY_ID');
const BOUND_MS = Number(process.env.EVENT_BOUND_MS || 5000);

const SUBSCRIPTION = `subscription ($ids: [ID!], $after: Int) {
  entityChanged(ids: $ids, after: $after) {
    seq action id kind by provenance { locator } entity { name } } }`;

// Events as they arrive, and whoever waits for the next one.
const events = [];
let waiting = null;
function nextEvent(what) {
  const seen = events.length;
  return within(
    BOUND_MS,
    what,
    new Promise((resolve, reject) => {
      waiting = { seen, resolve, reject };
      settle();
    }),
  );
}
function settle() {
  if (waiting && events.length > waiting.seen) {
    const { seen, resolve } = waiting;
    waiting = null;
    resolve(events[seen]);
  }
}

// Where to resume: the version the graph is at now (read through instance A, as an app
// reads `X-Graph-Version` with its first query), then the `seq` of each event seen. The
// client sends this same payload object again when it resubscribes after a reconnect.
const first = await fetch(`${READ_URL}?query=${encodeURIComponent('{ __typename }')}`);
const startVersion = Number(first.headers.get('x-graph-version'));
check(Number.isInteger(startVersion), 'no X-Graph-Version on a GET query', first.headers.get('x-graph-version'));
const payload = { query: SUBSCRIPTION, variables: { ids: [ID], after: startVersion } };

let connections = 0;
let closes = 0;
let letReconnect;
const away = new Promise((resolve) => {
  letReconnect = resolve;
});
const client = createClient({
  url: SUBSCRIBE_URL,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${TOKEN}` },
  retryAttempts: 3,
  shouldRetry: () => true,
  // The reconnect waits until the writes made while the client is away have committed.
  retryWait: () => within(BOUND_MS * 4, 'the writes made while the client was away', away),
  on: {
    connected: () => {
      connections += 1;
    },
    closed: () => {
      closes += 1;
    },
  },
});
const unsubscribe = client.subscribe(payload, {
  next: (message) => {
    if (message.errors) fail(`the subscription sent errors: ${JSON.stringify(message.errors)}`);
    const event = message.data.entityChanged;
    payload.variables.after = event.seq;
    events.push({ ...event, receivedAt: performance.now() });
    settle();
  },
  error: (error) => fail(`the subscription failed: ${error?.reason || error?.message || JSON.stringify(error)}`),
  complete: () => {},
});

const latencies = [];
const mutations = [];
// From sending the mutation to hearing of it (the event may come before the mutation's
// own answer does), and how long the mutation itself took.
async function writeAndHear(name, locator) {
  const sent = performance.now();
  await upsertOrganization(WRITE_URL, TOKEN, ID, name, locator);
  mutations.push(Math.round(performance.now() - sent));
  const event = await nextEvent(`the event of "${locator}" (written through the other instance)`);
  latencies.push(Math.round(event.receivedAt - sent));
  return event;
}

async function until(what, condition) {
  await within(BOUND_MS, what, (async () => {
    while (!condition()) await new Promise((r) => setTimeout(r, 20));
  })());
}

try {
  await until('the connection', () => connections === 1);
  await writeAndHear('Clients Live', 'write 1');

  // Away: the socket is cut and stays closed while two writes commit.
  client.terminate();
  await until('the socket closing', () => closes === 1);
  await upsertOrganization(WRITE_URL, TOKEN, ID, 'Clients Live (2)', 'write 2');
  await upsertOrganization(WRITE_URL, TOKEN, ID, 'Clients Live (3)', 'write 3');
  check(connections === 1 && events.length === 1, 'events arrived while the client was away', events);
  letReconnect();

  // Back: the two missed writes, from the change log, then a live one.
  await nextEvent('the first write made while the client was away, after it reconnected');
  await nextEvent('the second write made while the client was away, after it reconnected');
  await writeAndHear('Clients Live (4)', 'write 4');
  // Nothing else comes (no repeat of what was sent before or after the reconnect).
  await new Promise((r) => setTimeout(r, 1500));
} catch (error) {
  fail(`${error.message}; events so far: ${JSON.stringify(events)}`);
} finally {
  unsubscribe();
  await client.dispose();
}

const seqs = events.map((e) => e.seq);
check(
  seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]) && seqs[0] > startVersion,
  'events are not in commit order',
  seqs,
);
report({
  startVersion,
  connections,
  latenciesMs: latencies,
  mutationsMs: mutations,
  events: events.map(({ seq, action, id, kind, by, provenance, entity }) => ({
    seq,
    action,
    id,
    kind,
    by,
    locators: provenance.map((p) => p.locator),
    name: entity?.name ?? null,
  })),
});
