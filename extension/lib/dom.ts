/** Small DOM helpers for the sidebar: text only, never HTML parsed from notebook text. */

import { Notification } from '@jupyterlab/apputils';

import { breakableSegments, highlightPieces } from './format';

export function el(tag: string, className?: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A button with a visible ``label`` and an accessible name (``label`` when ``name`` is not given). */
export function button(label: string, name: string, onClick: () => void, className = ''): HTMLButtonElement {
  const node = el('button', `jp-Logbook-button ${className}`.trim(), label) as HTMLButtonElement;
  node.type = 'button';
  node.title = name;
  if (name !== label) {
    node.setAttribute('aria-label', name);
  }
  node.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return node;
}

export function input(className: string, name: string, placeholder = ''): HTMLInputElement {
  const node = el('input', `jp-Logbook-input ${className}`.trim()) as HTMLInputElement;
  node.setAttribute('aria-label', name);
  node.placeholder = placeholder;
  return node;
}

/**
 * A text box for a sentence or an expression that may run long: two lines,
 * growing to four as it fills (then it scrolls). Enter is left to the caller
 * (``onEnter``); Shift+Enter starts a new line.
 */
export function textArea(className: string, name: string, onEnter: () => void, placeholder = ''): HTMLTextAreaElement {
  const node = el('textarea', `jp-Logbook-input jp-Logbook-grow ${className}`.trim()) as HTMLTextAreaElement;
  node.setAttribute('aria-label', name);
  node.placeholder = placeholder;
  node.rows = 2;
  const grow = () => {
    if (!node.isConnected) {
      return;
    }
    node.style.height = 'auto';
    const style = getComputedStyle(node);
    const line = parseFloat(style.lineHeight) || 16;
    const frame = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    node.style.height = `${Math.min(Math.max(node.scrollHeight, 2 * line + frame), 4 * line + frame)}px`;
  };
  node.addEventListener('input', grow);
  node.addEventListener('focus', grow);
  node.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      onEnter();
    }
  });
  return node;
}

/** A short coloured label: a status, a verdict, a count. */
export function pill(text: string, kind: string, title = ''): HTMLElement {
  const node = el('span', `jp-Logbook-pill jp-mod-${kind}`, text);
  if (title) {
    node.title = title;
  }
  return node;
}

/** Code that wraps only between tokens (after dots, commas, brackets and spaces). */
export function code(text: string, className = 'jp-Logbook-expression'): HTMLElement {
  const node = el('code', className);
  for (const piece of breakableSegments(text)) {
    node.append(document.createTextNode(piece), document.createElement('wbr'));
  }
  return node;
}

/** Text with the search words marked. */
export function marked(text: string, words: string[], className = ''): HTMLElement {
  const node = el('span', className);
  for (const piece of highlightPieces(text, words)) {
    node.append(piece.match ? el('mark', 'jp-Logbook-mark', piece.text) : document.createTextNode(piece.text));
  }
  return node;
}

/** Run an action; a failure is shown as a notification with the server's message. */
export async function attempt(action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    Notification.error(`Logbook: ${error instanceof Error ? error.message : error}`, { autoClose: 6000 });
    return false;
  }
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, wait: number): (...args: A) => void {
  let timer: number | undefined;
  return (...args: A) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), wait);
  };
}

/** Make ``node`` act as a button for the keyboard (Enter and Space) and for assistive technology. */
export function actionable(node: HTMLElement, name: string, onActivate: () => void): void {
  node.tabIndex = 0;
  node.setAttribute('role', 'button');
  node.setAttribute('aria-label', name);
  node.addEventListener('click', () => onActivate());
  node.addEventListener('keydown', event => {
    if ((event.key === 'Enter' || event.key === ' ') && event.target === node) {
      event.preventDefault();
      onActivate();
    }
  });
}
