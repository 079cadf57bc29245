// The panel (UI iframe). Answers the main thread's requests for entropy, shows what it sends.
import type { MainToUi, UiToMain } from '../protocol.js';

function send(message: UiToMain): void {
  parent.postMessage({ pluginMessage: message }, '*');
}

window.onmessage = (event: MessageEvent<{ pluginMessage?: MainToUi }>) => {
  const message = event.data?.pluginMessage;
  if (!message) return;
  if (message.type === 'entropy-request') send({ type: 'entropy', bytes: crypto.getRandomValues(new Uint8Array(message.length)) });
};
