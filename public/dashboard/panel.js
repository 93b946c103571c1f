// The bot panel, a Chatwoot Dashboard App. Chatwoot frames this page beside the conversation and
// hands it the conversation, contact and agent with postMessage (Frame.vue: the page asks with
// 'chatwoot-dashboard-app:fetch-info' and receives a JSON string {event: 'appContext', data}).
// The app URL's fragment carries the account and its key (#account=1&key=…); the key goes to the
// bot's API in a header, never in a URL. Everything is rendered with textContent: no HTML from data.
'use strict';

(function () {
  const POLL_MS = 3000;
  const HIDDEN_POLL_MS = 15000;
  const LABELS = { bot: 'Bot answers', paused: 'Paused', handed_off: 'Handed off', human: 'Human took over' };
  const params = new URLSearchParams(location.hash.slice(1));
  const urlAccount = Number(params.get('account'));
  const key = params.get('key') || '';
  const $ = (id) => document.getElementById(id);

  let context = null; // {accountId, conversationId, agent}
  let timer = null;
  let offset = 0; // server clock − ours
  let lastWho = null;
  let busy = false;

  function problem(text) {
    const p = $('problem');
    p.hidden = !text;
    p.textContent = text || '';
  }

  function ago(at) {
    if (at == null) return '';
    const s = Math.round((Date.now() + offset - at) / 1000);
    if (s < 0) return 'in ' + span(-s);
    return span(s) + ' ago';
  }
  function span(s) {
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.round(s / 60) + ' min';
    if (s < 86400) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  function ms(v) {
    return v < 1000 ? v + ' ms' : (v / 1000).toFixed(1) + ' s';
  }

  function onMessage(event) {
    if (event.source !== window.parent || typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (!message || message.event !== 'appContext' || !message.data || !message.data.conversation) return;
    const conversation = message.data.conversation;
    const agent = message.data.currentAgent || {};
    const accountId = Number(conversation.account_id);
    const conversationId = Number(conversation.id);
    if (!Number.isInteger(conversationId) || conversationId <= 0) return;
    if (accountId !== urlAccount) {
      problem('This panel was installed for account ' + urlAccount + ', not for account ' + accountId + '. Run install for this account.');
      return;
    }
    const changed = !context || context.conversationId !== conversationId;
    context = {
      accountId,
      conversationId,
      agent: { id: Number.isInteger(agent.id) ? agent.id : null, name: String(agent.name || ''), email: agent.email ? String(agent.email) : null },
    };
    $('conversation').textContent = 'conversation #' + conversationId;
    if (changed) {
      lastWho = null;
      refresh();
    }
  }

  function apiPath(suffix) {
    return 'api/accounts/' + context.accountId + '/conversations/' + context.conversationId + (suffix || '');
  }

  async function call(method, suffix, body) {
    const response = await fetch(apiPath(suffix), {
      method,
      headers: Object.assign({ 'X-Panel-Key': key, Accept: 'application/json' }, body ? { 'Content-Type': 'application/json' } : {}),
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
      credentials: 'omit',
    });
    if (response.status === 401) throw new Error('The bot refused this panel\'s key. An administrator can run `chatwoot-hermes-bot install` to register the panel again.');
    if (response.status === 429) throw new Error('Too many requests to the bot; the panel tries again shortly.');
    if (!response.ok) throw new Error('The bot answered ' + response.status + '.');
    return response.json();
  }

  // Chatwoot sends the context when the frame loads and when asked, not when the agent opens another
  // conversation with the tab still showing: asking on every poll notices the switch.
  function askContext() {
    if (window.parent !== window) window.parent.postMessage('chatwoot-dashboard-app:fetch-info', '*');
  }

  async function refresh() {
    clearTimeout(timer);
    askContext();
    if (!context) {
      timer = setTimeout(refresh, POLL_MS);
      return;
    }
    try {
      render(await call('GET'));
      problem('');
    } catch (error) {
      problem(error.message);
    }
    timer = setTimeout(refresh, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
  }

  function render(view) {
    offset = view.now - Date.now();
    const who = view.speaker.who;
    const badge = $('speaker');
    badge.dataset.who = who;
    if (who !== lastWho) {
      // Inside the aria-live region: a screen reader hears the change of speaker.
      badge.textContent = LABELS[who] || who;
      $('speaker-why').textContent = view.speaker.why;
      lastWho = who;
    } else if ($('speaker-why').textContent !== view.speaker.why) {
      $('speaker-why').textContent = view.speaker.why;
    }
    $('speaker-since').textContent = view.speaker.since ? 'changed ' + ago(view.speaker.since) : '';

    $('waiting').textContent = String(view.waiting.messages);
    $('answer-at').textContent =
      view.waiting.messages === 0 ? 'nothing to answer' : view.waiting.answerAt ? 'the bot answers ' + ago(view.waiting.answerAt) : 'the bot will not answer them now';

    $('session').textContent = view.session ? view.session.id : 'none yet';
    $('turns').textContent = view.session ? view.session.turns + ' turn' + (view.session.turns === 1 ? '' : 's') + ' answered in this session' : '';

    const issue = view.lastIssue;
    $('issue').textContent = issue ? (issue.kind === 'blocked' ? 'Blocked reply: ' : 'Hand-off: ') + issue.reason : 'None';
    $('issue-at').textContent = issue ? ago(issue.at) : '';

    renderLatency(view.latency);
    $('pause').disabled = busy || who === 'paused';
    $('resume').disabled = busy || who === 'bot';
    $('reset').disabled = busy;
    $('handoff').disabled = busy || who === 'handed_off';
  }

  function renderLatency(turns) {
    const list = $('latency');
    list.replaceChildren();
    if (turns.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'No turns yet';
      li.className = 'none';
      list.append(li);
      return;
    }
    const max = Math.max(1, ...turns.map((t) => t.ms || 0));
    for (const t of turns) {
      const li = document.createElement('li');
      const when = document.createElement('span');
      when.className = 'muted';
      when.textContent = ago(t.at);
      const track = document.createElement('span');
      if (t.ms != null) {
        const bar = document.createElement('span');
        bar.className = 'bar';
        // A CSSOM write, which the CSP allows (style-src 'self' forbids style attributes in markup only).
        bar.style.display = 'block';
        bar.style.width = Math.round((t.ms / max) * 100) + '%';
        track.append(bar);
      }
      const value = document.createElement('span');
      value.textContent = t.ms != null ? ms(t.ms) : t.outcome.replace('_', ' ');
      if (t.ms == null) value.className = 'none';
      li.setAttribute('aria-label', (t.ms != null ? 'Hermes took ' + ms(t.ms) : 'no Hermes answer (' + t.outcome + ')') + ', ' + ago(t.at));
      li.append(when, track, value);
      list.append(li);
    }
  }

  async function act(action, button) {
    if (!context || busy) return;
    busy = true;
    button.disabled = true;
    $('status').textContent = button.textContent + '…';
    try {
      const result = await call('POST', '/actions/' + action, { agent: context.agent });
      $('status').textContent =
        button.textContent + ': done. ' + (result.note === 'failed' ? 'The private note could not be posted.' : 'A private note tells the team.');
    } catch (error) {
      $('status').textContent = button.textContent + ' failed: ' + error.message;
    }
    busy = false;
    refresh();
  }

  document.querySelectorAll('button[data-action]').forEach((button) => {
    button.addEventListener('click', () => act(button.dataset.action, button));
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) refresh();
  });
  window.addEventListener('message', onMessage);

  if (!urlAccount || !key) {
    problem('This panel\'s address has no account or key. An administrator can run `chatwoot-hermes-bot install` to register it.');
  }
  document.querySelectorAll('button[data-action]').forEach((b) => (b.disabled = true));
  refresh();
})();
