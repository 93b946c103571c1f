/**
 * Detects technical error text (provider/HTTP/auth failures, tracebacks, exception names, fallback and
 * rate-limit notices) in a generated reply. Such text must never reach a customer (lessons.md A.2).
 *
 * The patterns are English on purpose: they match what providers, SDKs and Hermes print, not what the
 * agent writes to customers in Portuguese or Spanish, so they rarely fire on genuine replies.
 */

export interface TechnicalErrorMatch {
  /** Which rule matched, e.g. "http status". */
  label: string;
  /** The matched text (at most 80 characters), for the private note. */
  excerpt: string;
}

interface Rule {
  label: string;
  pattern: RegExp;
}

const HTTP_REASON =
  'Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Request Timeout|Conflict|' +
  'Gone|Payload Too Large|Unprocessable (?:Entity|Content)|Too Many Requests|Internal Server Error|Not Implemented|' +
  'Bad Gateway|Service Unavailable|Gateway Time-?out';

/** Well-known SDK/runtime exception names that appear without a trailing colon. */
const KNOWN_EXCEPTIONS =
  'TypeError|ReferenceError|SyntaxError|RangeError|KeyError|ValueError|AttributeError|IndexError|RuntimeError|' +
  'TimeoutError|ConnectionError|APIConnectionError|APITimeoutError|APIStatusError|APIError|RateLimitError|' +
  'AuthenticationError|PermissionDeniedError|BadRequestError|InternalServerError|NotFoundError|' +
  'UnprocessableEntityError|ContextWindowExceededError|ServiceUnavailableError';

const RULES: readonly Rule[] = [
  { label: 'traceback', pattern: /Traceback \(most recent call last\)/i },
  { label: 'stack frame', pattern: /^\s*File "[^"\n]+", line \d+|^\s+at \S+ \([^()\n]*:\d+:\d+\)/m },
  { label: 'http status', pattern: /\bHTTP(?:\/\d(?:\.\d)?)?\s*[1-5]\d\d\b/i },
  { label: 'http status', pattern: new RegExp(`\\b[1-5]\\d\\d\\s*[-:]?\\s*(?:${HTTP_REASON})\\b`, 'i') },
  { label: 'http status', pattern: new RegExp(`\\b(?:${HTTP_REASON})\\s*\\(?[1-5]\\d\\d\\b`, 'i') },
  { label: 'http status', pattern: /\b(?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b/i },
  { label: 'http status', pattern: /\b(?:status|error)(?:[ _]code)?\s*[:=#]?\s*[45]\d\d\b/i },
  { label: 'auth failure', pattern: /\btoken (?:is |has )?expired\b|\bexpired (?:access |auth |api )?token\b/i },
  { label: 'auth failure', pattern: /\bauthenticat(?:ion|e) (?:failed|failure|error)\b|\bfailed to authenticate\b/i },
  { label: 'auth failure', pattern: /\b(?:invalid|incorrect|missing|expired|revoked) (?:api[ _-]?key|access token|bearer token)\b/i },
  { label: 'auth failure', pattern: /\bapi[ _-]?key (?:is )?(?:invalid|missing|expired|not (?:set|configured|valid))\b/i },
  { label: 'retry notice', pattern: /\bnon-?retryable\b|\bmax(?:imum)? retries (?:exceeded|reached)\b|\bretries exhausted\b/i },
  { label: 'exception', pattern: /\b[A-Z][A-Za-z]+(?:Error|Exception)\b:/ },
  { label: 'exception', pattern: /\b[a-z_][\w]*(?:\.[\w]+)*\.[A-Z]\w*(?:Error|Exception)\b/ },
  { label: 'exception', pattern: new RegExp(`\\b(?:${KNOWN_EXCEPTIONS})\\b`) },
  { label: 'network error', pattern: /\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)\b/ },
  { label: 'network error', pattern: /\bconnection (?:refused|reset|error|aborted)\b|\b(?:request|read|connect) timed? ?out\b/i },
  { label: 'rate limit', pattern: /\brate[ _-]?limit(?:ed|ing|s)?\b|\btoo many requests\b|\b(?:quota|credits?) (?:exceeded|exhausted)\b|\binsufficient[ _](?:quota|credits?|balance)\b/i },
  { label: 'provider fallback', pattern: /\bfall(?:ing)? ?back (?:to )?(?:the )?(?:provider|model)\b|\bfallback (?:provider|model)\b|\bswitching to (?:a |the )?(?:fallback|backup|secondary) \w+/i },
  { label: 'provider error', pattern: /\b(?:model )?provider (?:error|is rate-?limiting|returned an error|failed)\b|\bempty response stream\b/i },
  { label: 'context length', pattern: /\bcontext[ _](?:length|window)[ _](?:exceeded|is exceeded|limit)\b|\bmaximum context length\b|\bexceeds? the context (?:length|window)\b/i },
  { label: 'agent error', pattern: /\bsorry, i encountered an? (?:unexpected )?error\b|\bagent_incomplete\b|\binvalid_request_error\b|\bserver_error\b|\binvalid_api_key\b/i },
];

/** First technical-error pattern found in `text`, or null. */
export function findTechnicalError(text: string): TechnicalErrorMatch | null {
  for (const rule of RULES) {
    const match = rule.pattern.exec(text);
    if (match) return { label: rule.label, excerpt: match[0].trim().slice(0, 80) };
  }
  return null;
}
