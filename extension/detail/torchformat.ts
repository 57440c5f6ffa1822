/**
 * TransformerLens hooks and nnsight traces as the experiment view reads them, as pure functions:
 * a hook under the name the researcher wrote, and what a trace did at each location it touched.
 */

/** A TransformerBridge's own names for its hook points (``blocks.1.attn.o.hook_in``), which nobody writes. */
const BRIDGE_ONLY = /(^|\.)hook_(in|out)$/;

/**
 * A hook's names, the one the researcher wrote first: a TransformerBridge records the hook under its own
 * point (``blocks.1.attn.o.hook_in``) with the classic names as ``aliases`` (``blocks.1.attn.hook_z``),
 * which is what the notebook said; a HookedTransformer's point is already that name.
 */
export function hookNames(hook: { hook_point: string; aliases?: string[] }): { name: string; internal: string[] } {
  const all = [...new Set([hook.hook_point, ...(hook.aliases ?? [])])];
  const name = all.find(n => !BRIDGE_ONLY.test(n)) ?? hook.hook_point;
  return { name, internal: all.filter(n => n !== name) };
}

/** A value an nnsight trace saved: its shape, and where it came from and the name it was bound to, when known. */
export interface ISavedValue {
  name?: string;
  from?: string;
  shape?: number[];
  dtype?: string;
  device?: string;
  type?: string;
  len?: number;
}

/** One nnsight block as ``kernel_hooks.nnsight_activity`` records it: a trace, a generation, an edit or a session. */
export interface INNsightTrace {
  kind: string;
  model?: string;
  backend?: string;
  remote?: boolean;
  host?: string;
  options?: Record<string, number | boolean>;
  inputs?: Record<string, unknown>[];
  reads?: string[];
  sets?: string[];
  edited?: string[];
  skips?: string[];
  saved?: ISavedValue[];
  traces?: INNsightTrace[];
  error?: string;
}

/** What a trace did at one location (``model.transformer.h.1.mlp.output``), in the order it first touched it. */
export interface ILocationRow {
  location: string;
  read: boolean;
  /** Replaced by assignment (``h[0].mlp.output = mlp * 0.5``). */
  set: boolean;
  /** Changed in place (``h[1].mlp.output[:] = 0``). */
  edited: boolean;
  skipped: boolean;
  saved: ISavedValue[];
}

/** A trace's locations, one row each, and the values it saved that came from none of them (computed ones). */
export function traceRows(trace: INNsightTrace): { rows: ILocationRow[]; computed: ISavedValue[] } {
  const rows = new Map<string, ILocationRow>();
  const row = (location: string) =>
    rows.get(location) ??
    rows.set(location, { location, read: false, set: false, edited: false, skipped: false, saved: [] }).get(location)!;
  (trace.reads ?? []).forEach(l => (row(l).read = true));
  (trace.sets ?? []).forEach(l => (row(l).set = true));
  (trace.edited ?? []).forEach(l => (row(l).edited = true));
  (trace.skips ?? []).forEach(l => (row(l).skipped = true));
  const computed: ISavedValue[] = [];
  for (const value of trace.saved ?? []) {
    if (value.from) {
      row(value.from).saved.push(value);
    } else {
      computed.push(value);
    }
  }
  return { rows: [...rows.values()], computed };
}

/** What happened at a location, in words: ``read · edited in place``. */
export function rowActions(row: ILocationRow): string {
  const words = [
    row.read ? 'read' : '',
    row.set ? 'replaced (assigned)' : '',
    row.edited ? 'edited in place' : '',
    row.skipped ? 'skipped' : ''
  ].filter(Boolean);
  return words.join(' · ');
}

/** A saved value in a few words: ``hidden float32 [1, 3, 32] cpu``. */
export function savedText(value: ISavedValue): string {
  const shape = value.shape ? `[${value.shape.join(', ')}]` : value.len !== undefined ? `${value.type ?? ''} of ${value.len}` : value.type ?? '';
  return [value.name ?? '(unnamed)', value.dtype ?? '', shape, value.device ?? ''].filter(Boolean).join(' ');
}

/** Where a trace ran and on what: ``trace · local · gpt2 · max_new_tokens 3``. */
export function traceHeading(trace: INNsightTrace): string {
  const where = trace.backend === 'remote' ? `remote${trace.host ? ` (${trace.host})` : ''}` : trace.backend ?? '';
  const options = Object.entries(trace.options ?? {}).map(([k, v]) => `${k} ${v}`);
  return [trace.kind, where, trace.model ?? '', ...options].filter(Boolean).join(' · ');
}

/** A trace's inputs in words: ``"the cat sat"``, a tensor's shape, or a batch of prompts. */
export function inputsText(trace: INNsightTrace): string {
  return (trace.inputs ?? [])
    .map((input: any) => {
      if (typeof input.text === 'string') {
        return `“${input.text}”`;
      }
      if (Array.isArray(input.texts)) {
        return input.texts.map((t: string) => `“${t}”`).join(', ') + (input.len > input.texts.length ? ` and ${input.len - input.texts.length} more` : '');
      }
      if (Array.isArray(input.shape)) {
        return [input.dtype, `[${input.shape.join(', ')}]`].filter(Boolean).join(' ');
      }
      return String(input.type ?? '');
    })
    .filter(Boolean)
    .join(', ');
}
