// api.js — fetch helpers for the iprshield HTTP API (docs/api.md).
//
// Every request is same-origin with the session cookie. Every state-changing
// request (anything but GET/HEAD) carries X-CSRF-Token with the token from
// login or GET /api/v1/me. Failures are thrown as ApiError, which carries the
// RFC 9457 problem document and, for 429, the Retry-After seconds.

let csrfToken = null;

/** Remember the session's CSRF token (null after logout). */
export function setCsrfToken(token) {
  csrfToken = token || null;
}

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problemMessage(status, problem, retryAfter));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }

  /** Field-level validation errors: [{field, message}] (may be empty). */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

/** A person-readable sentence for a failed request. */
function problemMessage(status, problem, retryAfter) {
  const text = problem && (problem.detail || problem.title);
  if (status === 429) {
    // The wait comes from Retry-After; drop any "try again ..." clause of the
    // server's own text so that it is not said twice.
    const base = String(text || '').replace(/[\s;,.:-]*try again.*$/i, '') || 'Too many attempts';
    if (retryAfter == null) return `${stripDot(sentence(base))}. Try again later.`;
    const mins = retryAfter >= 120 ? ` (about ${Math.round(retryAfter / 60)} minutes)` : '';
    return `${stripDot(sentence(base))}. Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}${mins}.`;
  }
  if (text) return sentence(text);
  if (status === 0) return 'The server could not be reached. Check your connection and try again.';
  return `The request failed (HTTP ${status}).`;
}

/** Capitalise the first letter and end with a full stop. */
function sentence(s) {
  const t = String(s).trim();
  if (!t) return t;
  const c = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(c) ? c : `${c}.`;
}

function stripDot(s) {
  return String(s).replace(/[.\s]+$/, '');
}

/** Parse a Retry-After header as seconds (delta-seconds or HTTP date). */
function parseRetryAfter(value) {
  if (!value) return null;
  const n = Number.parseInt(value, 10);
  if (String(n) === value.trim() && n >= 0) return n;
  const when = Date.parse(value);
  if (!Number.isNaN(when)) return Math.max(0, Math.ceil((when - Date.now()) / 1000));
  return null;
}

/**
 * Call the API. Resolves with the parsed JSON body (or null for 204).
 * `body` is sent as JSON, or as multipart/form-data when it is a FormData
 * (never set Content-Type for that: the boundary must come from fetch).
 * Rejects with ApiError on any non-2xx answer or a network failure.
 */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body instanceof FormData) {
    // multipart/form-data: the browser sets Content-Type with the boundary.
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, null, null);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!res.ok) {
    throw new ApiError(res.status, data, parseRetryAfter(res.headers.get('Retry-After')));
  }
  return data;
}

/** Build a query string from an object, skipping null/undefined values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
