// Live pages, as progressive enhancement: the page works without this file. With it, an open conversation shows new
// messages from the other side as they arrive, the navigation's counts follow, and a list of conversations offers
// "New messages – refresh" when it changes. Events come from the server as Server-Sent Events and say only what
// changed; what to show is fetched through the page's own access checks.

/** One polite live region for the page, made at once so that screen readers know it before anything is said. */
function createAnnouncer() {
  const region = document.createElement('div');
  region.className = 'govuk-visually-hidden';
  region.setAttribute('aria-live', 'polite');
  region.setAttribute('data-parley-live-announcer', '');
  document.body.append(region);
  return (text) => {
    region.textContent = '';
    // A change after the region is empty is announced even when the words are the same as last time.
    setTimeout(() => {
      region.textContent = text;
    }, 100);
  };
}

const labels = {
  messages: ['unread conversation', 'unread conversations'],
  notifications: ['unread notification', 'unread notifications'],
};

/** The service navigation's numbers, as the server renders them (src/web/views/layout.njk). */
function updateNavigationCounts(counts) {
  const links = {
    messages: document.querySelector(
      '.govuk-service-navigation a[href="/staff/messages"], .govuk-service-navigation a[href="/messages"]',
    ),
    notifications: document.querySelector('.govuk-service-navigation a[href="/notifications"]'),
  };
  for (const [name, link] of Object.entries(links)) {
    const value = counts[name];
    if (!link || typeof value !== 'number') continue;
    let badge = link.querySelector('.parley-nav-count');
    if (value === 0) {
      badge?.remove();
      continue;
    }
    if (!badge) {
      badge = document.createElement('span');
      badge.className = 'parley-nav-count';
      link.append(' ', badge);
    }
    const hidden = document.createElement('span');
    hidden.className = 'govuk-visually-hidden';
    hidden.textContent = ` ${labels[name][value === 1 ? 0 : 1]}`;
    badge.replaceChildren(String(value), hidden);
  }
}

/** Opens the stream; the browser reconnects by itself (sending the last event's id) unless the server refused it. */
function listen(url, handlers) {
  const source = new EventSource(url);
  source.addEventListener('ready', (event) => handlers.counts(JSON.parse(event.data)));
  source.addEventListener('counts', (event) => handlers.counts(JSON.parse(event.data)));
  source.addEventListener('new-message', (event) => handlers.message?.(JSON.parse(event.data)));
  source.addEventListener('change', () => handlers.change?.());
  source.addEventListener('signed-out', () => source.close());
  window.addEventListener('pagehide', () => source.close());
  return source;
}

function enhanceConversation(section, announce) {
  const threadUrl = section.dataset.parleyLiveThread;
  let fetching = null;
  let again = false;

  async function fetchThread() {
    const read = document.visibilityState === 'visible' ? '?read=1' : '';
    const response = await fetch(`${threadUrl}${read}`, {
      credentials: 'same-origin',
      headers: { accept: 'text/html' },
    });
    if (!response.ok || response.redirected) return;
    const counts = response.headers.get('x-parley-navigation-counts');
    if (counts) updateNavigationCounts(JSON.parse(counts));
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    const freshList = fresh.querySelector('.parley-message-list');
    if (!freshList) return;
    let list = section.querySelector('.parley-message-list');
    if (!list) {
      list = document.importNode(freshList, false);
      const empty = section.querySelector('[data-parley-no-messages]');
      if (empty) empty.replaceWith(list);
      else section.querySelector('#messages-heading')?.after(list);
    }
    const added = [];
    for (const item of freshList.querySelectorAll(':scope > li.parley-message')) {
      if (document.getElementById(item.id)) continue;
      const copy = document.importNode(item, true);
      list.append(copy);
      added.push(copy);
    }
    if (added.length === 1) {
      const sender = added[0].querySelector('.parley-message__sender')?.textContent?.trim();
      announce(sender ? `New message from ${sender}` : 'New message');
    } else if (added.length > 1) {
      announce(`${added.length} new messages`);
    }
  }

  // Messages that arrive while the thread is being fetched are in that fetch or the next one, never lost.
  function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = fetchThread()
      .catch(() => undefined)
      .finally(() => {
        fetching = null;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  listen(section.dataset.parleyLiveEvents, { counts: updateNavigationCounts, message: refresh });
}

function enhanceList(notice, announce) {
  let shown = false;
  listen(notice.dataset.parleyLiveEvents, {
    counts: updateNavigationCounts,
    change() {
      if (shown) return;
      shown = true;
      const banner = document.createElement('div');
      banner.className = 'govuk-notification-banner';
      banner.setAttribute('role', 'region');
      banner.setAttribute('aria-labelledby', 'parley-live-notice-title');
      banner.innerHTML = `
        <div class="govuk-notification-banner__header">
          <h2 class="govuk-notification-banner__title" id="parley-live-notice-title">Important</h2>
        </div>
        <div class="govuk-notification-banner__content">
          <p class="govuk-notification-banner__heading">New messages – <a class="govuk-notification-banner__link" href="">refresh</a></p>
        </div>`;
      banner.querySelector('a').setAttribute('href', window.location.pathname + window.location.search);
      notice.append(banner);
      announce('New messages. Refresh the page to see them.');
    },
  });
}

export function startLivePages() {
  if (!('EventSource' in window)) return;
  const conversation = document.querySelector('[data-parley-live="conversation"]');
  const list = document.querySelector('[data-parley-live="rows"]');
  if (!conversation && !list) return;
  const announce = createAnnouncer();
  if (conversation) enhanceConversation(conversation, announce);
  else if (list) enhanceList(list, announce);
}
