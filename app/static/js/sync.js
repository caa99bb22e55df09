// Saving the workspace: every change goes through a queue kept in localStorage, sent one request
// at a time. Offline, requests wait and are retried with backoff; a reload resumes the queue.
// Creates carry a client id, so sending one twice never makes two flags.

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export class Sync {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {string} options.flagsUrl the attempt's flag collection in the API
   * @param {number} options.revision the revision the page was rendered at
   * @param {(state: string, message?: string) => void} options.onStatus saved, saving, offline, error, signed-out
   * @param {(flags: object[], fromElsewhere: boolean) => void} options.onServerFlags flags as the server has them
   * @param {(op: object, body: object) => void} options.onRejected a change the server refused
   * @param {(message: string) => void} options.onClosed the attempt can no longer change
   */
  constructor(options) {
    Object.assign(this, options);
    this.storageKey = `crosscheck:attempt:${options.attemptId}:queue`;
    this.queue = this.load();
    this.sending = false;
    this.retryDelay = FIRST_RETRY_MS;
    this.retryTimer = null;
    this.behind = false; // another tab changed the attempt
    this.resync = false; // the server refused a change: take its flags
    this.closed = false;
    window.addEventListener("online", () => {
      this.retryDelay = FIRST_RETRY_MS;
      this.flush();
    });
  }

  load() {
    try {
      const stored = JSON.parse(window.localStorage.getItem(this.storageKey) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch {
      return [];
    }
  }

  persist() {
    try {
      if (this.queue.length) window.localStorage.setItem(this.storageKey, JSON.stringify(this.queue));
      else window.localStorage.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: the queue still lives in memory until the page closes.
    }
  }

  get pending() {
    return this.queue.length;
  }

  enqueue(op) {
    this.queue.push(op);
    this.persist();
    this.flush();
  }

  request(method, url, body) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init);
  }

  send(op) {
    const flagUrl = `${this.flagsUrl}/${encodeURIComponent(op.clientId)}`;
    if (op.kind === "create") return this.request("POST", this.flagsUrl, op.body);
    if (op.kind === "update") return this.request("PATCH", flagUrl, op.body);
    return this.request("DELETE", flagUrl);
  }

  retryLater() {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.flush(), this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, LAST_RETRY_MS);
  }

  /** Send the queue, oldest first; resolves when it is empty or has to wait. */
  async flush() {
    if (this.sending || this.closed) return;
    this.sending = true;
    try {
      while (this.queue.length) {
        this.onStatus("saving");
        const op = this.queue[0];
        let response;
        try {
          response = await this.send(op);
        } catch {
          this.onStatus("offline");
          this.retryLater();
          return;
        }
        if (response.status >= 500 || response.status === 429) {
          this.onStatus("offline");
          this.retryLater();
          return;
        }
        if (response.status === 401) {
          this.onStatus("signed-out");
          return;
        }
        const body = await response.json().catch(() => ({}));
        this.queue.shift();
        this.persist();
        this.retryDelay = FIRST_RETRY_MS;
        if (response.ok) {
          this.noteRevision(body.revision, body.changed);
        } else if (response.status === 409) {
          this.close(body.error || "This attempt can no longer change.");
          return;
        } else if (!(op.kind === "delete" && response.status === 404)) {
          // A delete that finds nothing was already done (by a replay or another tab).
          this.onRejected(op, body);
          this.resync = true;
        }
      }
      this.onStatus("saved");
      if (this.behind || this.resync) await this.refresh();
    } finally {
      this.sending = false;
    }
  }

  noteRevision(revision, changed) {
    if (typeof revision !== "number") return;
    const expected = this.revision + (changed ? 1 : 0);
    if (revision !== expected) this.behind = true;
    this.revision = revision;
  }

  close(message) {
    this.closed = true;
    this.queue = [];
    this.persist();
    this.onClosed(message);
  }

  /** Take the server's flags; tell the user when another tab changed them. */
  async refresh() {
    const fromElsewhere = this.behind;
    this.behind = false;
    this.resync = false;
    const state = await this.fetchState();
    if (state) this.apply(state, fromElsewhere);
  }

  async fetchState() {
    try {
      const response = await this.request("GET", this.flagsUrl);
      if (!response.ok) return null;
      return await response.json();
    } catch {
      return null;
    }
  }

  apply(state, fromElsewhere) {
    if (state.submitted) {
      this.close("This attempt was submitted in another tab.");
      return;
    }
    this.revision = state.revision;
    this.onServerFlags(state.flags, fromElsewhere);
  }

  /** Ask whether another tab moved the attempt on (on focus and every so often). */
  async check() {
    if (this.sending || this.queue.length || this.closed) return;
    const state = await this.fetchState();
    if (!state || this.sending || this.queue.length) return;
    if (state.submitted || state.revision > this.revision) this.apply(state, true);
  }
}
