/**
 * The language switch on every page (templates/base.html): the one place that remembers
 * which language a person reads BackCare in.
 *
 * The server picks a page's language from the `django_language` cookie, else the
 * browser's Accept-Language. A choice made with the switch is kept in the cookie (for
 * the server) and in localStorage (for this device, should the cookie be cleared), and
 * the service worker is told, so that offline it answers with that language's pages.
 */

const COOKIE = "django_language";
const STORAGE_KEY = "backcare-language";
const YEAR_IN_SECONDS = 365 * 24 * 60 * 60;
// A page reloaded to restore the chosen language is not reloaded again for it.
const RESTORED_KEY = "backcare-language-restored";
const WORKER_ANSWER_MS = 3000;

function cookieLanguage() {
  const match = document.cookie.match(/(?:^|;\s*)django_language=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

function storedChoice() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Keep `language` as this device's choice: the cookie for the server, localStorage here. */
export function rememberLanguage(language) {
  document.cookie = `${COOKIE}=${encodeURIComponent(language)}; path=/; max-age=${YEAR_IN_SECONDS}; SameSite=Lax`;
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private modes may refuse storage; the cookie still carries the choice.
  }
}

/** Tell the worker which language to answer with offline; resolves once it has noted it. */
function tellWorker(language) {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    worker.postMessage({ type: "LANGUAGE", language }, [channel.port2]);
    // A worker being replaced may never answer; the page goes on either way.
    setTimeout(resolve, WORKER_ANSWER_MS);
  });
}

async function switchTo(language) {
  rememberLanguage(language);
  await tellWorker(language);
  window.location.reload();
}

// Each button of the switch is named by its language (`lang`, in its own words).
const switchButtons = () => [...document.querySelectorAll(".language-switch button[lang]")];

function supported(language) {
  return switchButtons().some((button) => button.lang === language);
}

/** Wire the switch, and bring back the device's choice if the page came in another language. */
export function setUpLanguage() {
  const shown = document.documentElement.lang;
  for (const button of switchButtons()) {
    button.addEventListener("click", () => {
      if (button.lang !== shown) switchTo(button.lang);
    });
  }
  const chosen = storedChoice();
  if (chosen && chosen !== shown && supported(chosen) && sessionStorage.getItem(RESTORED_KEY) !== chosen) {
    // The cookie was cleared (or a cached page of the other language was all there was).
    sessionStorage.setItem(RESTORED_KEY, chosen);
    switchTo(chosen);
    return;
  }
  sessionStorage.removeItem(RESTORED_KEY);
  if (!cookieLanguage()) {
    // No choice yet: the browser's language the server picked, for this session, so the
    // worker's own requests get pages in the same language as this one.
    document.cookie = `${COOKIE}=${encodeURIComponent(shown)}; path=/; SameSite=Lax`;
  }
  tellWorker(shown);
}
