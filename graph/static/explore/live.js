// A small client of the graphql-transport-ws protocol (what the `graphql-ws` library
// speaks; the service's side is graph/http/websocket.py, see
// docs/live-updates-and-caching.md): one WebSocket, any number of subscriptions,
// reconnected with backoff after a drop and re-subscribed with fresh variables, so a
// caller that passes `after` (the last commit it saw) resumes without losing an event.
"use strict";

// Seconds to wait before reconnecting, by attempt; the last one repeats.
const BACKOFF_S = [0.5, 1, 2, 4, 8, 15, 30];
// The server pings every 15 s once acknowledged: silence this long means a dead link.
const SILENCE_MS = 40_000;
const ACK_TIMEOUT_MS = 10_000;
// Close codes after which trying again cannot help (the protocol's 4401/4403, and a
// request the server says is malformed, 4400).
const REFUSED = new Set([4400, 4401, 4403]);
// Error codes with which the server ends a subscription as it starts (errors and no
// data, then `complete`) that asking again cannot help: the worker's subscription
// limit, an argument it refuses, and an `after` too far back (REPLAY_TOO_LONG).
const REFUSED_CODES = new Set(["QUERY_TOO_COMPLEX", "BAD_USER_INPUT", "REPLAY_TOO_LONG"]);

// Whether a `next` payload is the server refusing the subscription for good (REFUSED_CODES).
function refusal(payload) {
  if (!payload || payload.data || !Array.isArray(payload.errors)) return false;
  return payload.errors.some((e) => e && e.extensions && REFUSED_CODES.has(e.extensions.code));
}

export class LiveClient {
  // url: ws(s)://…/graphql; connectionParams(): connection_init's payload (a token goes
  // there, since a browser cannot set headers on a WebSocket); onState({state, …}).
  constructor({ url, connectionParams = () => ({}), onState = () => {} }) {
    this.url = url;
    this.connectionParams = connectionParams;
    this.onState = onState;
    this.socket = null;
    this.acknowledged = false;
    this.subscriptions = new Map(); // id -> { query, variables(), sink }
    this.nextId = 1;
    this.attempt = 0;
    this.stopped = false;
    this.retryTimer = null;
    this.silenceTimer = null;
    this.state = { state: "idle" };
  }

  // Starts a subscription; `variables` is a function, called each time it is (re)sent.
  // sink: { next(data), error(errors) }. Returns a function that ends it.
  subscribe(query, variables, sink) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { query, variables, sink });
    if (this.acknowledged) this.sendSubscribe(id);
    else this.connect();
    return () => {
      if (!this.subscriptions.delete(id)) return;
      if (this.acknowledged) this.send({ id, type: "complete" });
    };
  }

  // Closes the connection and stays off until start() (the page's "pause", and tests).
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.close(1000, "stopped");
    this.setState({ state: "stopped" });
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    if (this.subscriptions.size) this.connect();
  }

  // Drops the connection as a network failure would; the usual reconnection follows.
  drop() {
    if (this.socket) this.socket.close(4000, "dropped");
  }

  // ---------------------------------------------------------------- internals

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  sendSubscribe(id) {
    const subscription = this.subscriptions.get(id);
    subscription.refusal = null;
    const { query, variables } = subscription;
    this.send({ id, type: "subscribe", payload: { query, variables: variables() } });
  }

  connect() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.setState({ state: "connecting", attempt: this.attempt });
    const socket = new WebSocket(this.url, "graphql-transport-ws");
    this.socket = socket;
    this.acknowledged = false;
    const ackTimer = setTimeout(() => socket.close(4408, "no connection_ack"), ACK_TIMEOUT_MS);
    socket.addEventListener("open", () => {
      this.send({ type: "connection_init", payload: this.connectionParams() || {} });
      this.heard();
    });
    socket.addEventListener("message", (event) => {
      this.heard();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      this.receive(message, ackTimer);
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(ackTimer);
      clearTimeout(this.silenceTimer);
      if (this.socket !== socket) return;
      this.socket = null;
      this.acknowledged = false;
      this.closed(event.code, event.reason);
    });
  }

  receive(message, ackTimer) {
    const subscription = message.id ? this.subscriptions.get(message.id) : null;
    switch (message.type) {
      case "connection_ack":
        clearTimeout(ackTimer);
        this.acknowledged = true;
        this.attempt = 0;
        this.setState({ state: "live" });
        for (const id of this.subscriptions.keys()) this.sendSubscribe(id);
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "next":
        if (!subscription) break;
        if (refusal(message.payload)) subscription.refusal = message.payload.errors;
        else subscription.sink.next(message.payload);
        break;
      case "error":
        // A refused subscription (bad query, over a limit): not sent again.
        if (subscription) {
          this.subscriptions.delete(message.id);
          subscription.sink.error(message.payload);
        }
        break;
      case "complete":
        if (subscription && subscription.refusal) {
          this.subscriptions.delete(message.id);
          subscription.sink.error(subscription.refusal);
        } else if (subscription && this.acknowledged) {
          // The server ended it (it drops a subscriber that fell too far behind): ask
          // again, with variables that resume after what was seen.
          this.sendSubscribe(message.id);
        }
        break;
      default:
        break;
    }
  }

  heard() {
    clearTimeout(this.silenceTimer);
    const socket = this.socket;
    this.silenceTimer = setTimeout(() => socket && socket.close(4408, "silent"), SILENCE_MS);
  }

  close(code, reason) {
    const socket = this.socket;
    this.socket = null;
    this.acknowledged = false;
    clearTimeout(this.silenceTimer);
    if (socket) socket.close(code, reason);
  }

  closed(code, reason) {
    if (this.stopped) return;
    if (REFUSED.has(code)) {
      this.setState({ state: "refused", code, reason });
      return;
    }
    if (!this.subscriptions.size) {
      this.setState({ state: "idle" });
      return;
    }
    const delay = BACKOFF_S[Math.min(this.attempt, BACKOFF_S.length - 1)];
    this.attempt += 1;
    // A little jitter, so that many pages do not come back in the same instant.
    const ms = Math.round(delay * 1000 * (1 + Math.random() * 0.25));
    this.setState({ state: "retrying", inMs: ms, code });
    this.retryTimer = setTimeout(() => this.connect(), ms);
  }
}
