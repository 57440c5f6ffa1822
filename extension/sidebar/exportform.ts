/** What the export dialog asks for, checked and turned into the export route's body: pure functions. */

export type ExportFormat = 'md' | 'html' | 'json';

/** The formats, in the dialog's order: id, the name a person reads, the file extension. */
export const EXPORT_FORMATS: { format: ExportFormat; name: string; extension: string }[] = [
  { format: 'md', name: 'Markdown', extension: '.md' },
  { format: 'html', name: 'HTML', extension: '.html' },
  { format: 'json', name: 'JSON', extension: '.json' }
];

/** Every extension the server takes for an export (``EXTENSIONS`` in logbook/export_target.py). */
const EXTENSIONS = ['.md', '.markdown', '.html', '.htm', '.json'];

/** Everything the dialog asks. Empty ``title``, ``since`` or ``until``: the default (project name; no bound). */
export interface IExportChoice {
  title: string;
  /** Relative to the project folder. */
  path: string;
  format: ExportFormat;
  /** ``YYYY-MM-DD`` (local), or empty. */
  since: string;
  until: string;
  /** The hypotheses to export; null: all of them (and the surprises flagged by hand). */
  hypotheses: string[] | null;
  /** Open the file in JupyterLab once it is written. */
  open: boolean;
}

export function isExportFormat(value: unknown): value is ExportFormat {
  return EXPORT_FORMATS.some(f => f.format === value);
}

/** ``path`` with the extension of ``format``: an export extension is swapped, anything else kept and added to. */
export function withExtension(path: string, format: ExportFormat): string {
  const extension = EXPORT_FORMATS.find(f => f.format === format)!.extension;
  const trimmed = path.trim();
  const known = EXTENSIONS.find(e => trimmed.toLowerCase().endsWith(e) && trimmed.length > e.length);
  const stem = known ? trimmed.slice(0, -known.length) : trimmed;
  return stem && !stem.endsWith('/') ? `${stem}${extension}` : `${stem}research-log${extension}`;
}

/** The file name the dialog offers first: ``research-log`` in the export folder of the settings. */
export function defaultPath(folder: string, format: ExportFormat): string {
  const cleaned = folder.trim().replace(/^\/+|\/+$/g, '');
  return withExtension(cleaned ? `${cleaned}/` : '', format);
}

/** The choice as the dialog starts it. */
export function defaultChoice(folder: string, format: ExportFormat = 'html'): IExportChoice {
  return { title: '', path: defaultPath(folder, format), format, since: '', until: '', hypotheses: null, open: true };
}

/** Why the export cannot be asked for as chosen, or null when it can. */
export function problemWith(choice: IExportChoice): string | null {
  const path = choice.path.trim();
  if (!path || path.endsWith('/')) {
    return 'Give a file name.';
  }
  const extensions = choice.format === 'md' ? ['.md', '.markdown'] : choice.format === 'html' ? ['.html', '.htm'] : ['.json'];
  if (!extensions.some(e => path.toLowerCase().endsWith(e))) {
    const name = EXPORT_FORMATS.find(f => f.format === choice.format)!.name;
    return `${name === 'HTML' ? 'An' : 'A'} ${name} export is named *${extensions.join(' or *')}.`;
  }
  if (choice.since && choice.until && choice.since > choice.until) {
    return `"From" (${choice.since}) is after "to" (${choice.until}).`;
  }
  if (choice.hypotheses !== null && choice.hypotheses.length === 0) {
    return 'Choose at least one hypothesis, or all of them.';
  }
  return null;
}

/** The body of ``POST export``: only what was chosen, so the server's defaults stand for the rest. */
export function exportBody(choice: IExportChoice, replace: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { path: choice.path.trim(), format: choice.format, replace };
  if (choice.title.trim()) {
    body.title = choice.title.trim();
  }
  if (choice.since) {
    body.since = choice.since;
  }
  if (choice.until) {
    body.until = choice.until;
  }
  if (choice.hypotheses !== null) {
    body.hypotheses = choice.hypotheses;
  }
  return body;
}

/** Where an export opens: HTML in a browser tab (its figures run there), the others in JupyterLab's viewers. */
export function viewerFor(format: ExportFormat): { factory: string | null; browserTab: boolean } {
  if (format === 'html') {
    return { factory: 'HTML Viewer', browserTab: true };
  }
  return { factory: format === 'md' ? 'Markdown Preview' : 'JSON', browserTab: false };
}
