/** The experiment view's notes: those written on the experiment (``logbook.note``, or here), and a box to add one. */

import { button, el, textArea } from '../lib/dom';
import { part } from './detailparts';
import { ILogbookModel } from '../lib/imodel';

/** A note as ``GET notes`` sends it. */
export interface INote {
  id: number;
  text: string;
  experiment_id: number | null;
  hypothesis_id: string | null;
  created_at: string;
}

function noteItem(note: INote): HTMLElement {
  const item = el('li', 'jp-Logbook-note');
  item.dataset.note = String(note.id);
  const meta = [`N${note.id}`, new Date(note.created_at).toLocaleString(), note.hypothesis_id ? `on ${note.hypothesis_id}` : ''];
  item.append(el('div', 'jp-Logbook-noteText', note.text), el('div', 'jp-Logbook-muted', meta.filter(Boolean).join(' · ')));
  return item;
}

/** The notes part of experiment ``id``: filled in once the notes arrive, and again after one is added. */
export function notesPart(model: ILogbookModel, id: number): HTMLElement {
  const node = part('Notes');
  node.classList.add('jp-Logbook-notes');
  const list = el('ul', 'jp-Logbook-noteList');
  list.setAttribute('aria-label', `Notes on experiment #${id}`);
  const status = el('div', 'jp-Logbook-muted jp-Logbook-noteStatus');
  status.setAttribute('aria-live', 'polite');
  const box = textArea('jp-Logbook-noteInput', `A note on experiment #${id}`, () => void add(), 'Add a note on this experiment…');
  const save = button('Add note', `Add the note to experiment #${id}`, () => void add(), 'jp-mod-accept');
  const form = el('div', 'jp-Logbook-noteForm');
  form.append(box, save);
  node.append(list, form, status);

  const show = async (): Promise<void> => {
    try {
      const notes = await model.read<INote[]>(`notes?experiment_id=${id}`);
      list.replaceChildren(...notes.map(noteItem));
      list.hidden = notes.length === 0;
      status.textContent = notes.length ? '' : 'No note on this experiment yet.';
    } catch (error) {
      status.textContent = `The notes could not be read: ${error instanceof Error ? error.message : error}`;
    }
  };
  const add = async (): Promise<void> => {
    const text = box.value.trim();
    if (!text) {
      status.textContent = 'Write the note first.';
      box.focus();
      return;
    }
    save.disabled = true;
    try {
      await model.addNote(text, id, null);
      box.value = '';
      await show();
      status.textContent = 'Note added.';
    } catch (error) {
      status.textContent = `The note was not added: ${error instanceof Error ? error.message : error}`;
    } finally {
      save.disabled = false;
    }
  };
  void show();
  return node;
}
