/**
 * The part of vega-embed's API the dashboard uses. vega-embed 7 publishes its types through package
 * "exports", which this project's module resolution ("node") does not read; webpack bundles the real module.
 */
declare module 'vega-embed' {
  export interface EmbedOptions {
    renderer?: 'svg' | 'canvas' | 'none';
    actions?: boolean;
    mode?: 'vega' | 'vega-lite';
    tooltip?: boolean;
    /** Shown when the spec's $schema names another version than the one bundled: not wanted here. */
    logLevel?: number;
  }

  export interface View {
    finalize(): void;
  }

  export interface Result {
    view: View;
    finalize(): void;
  }

  export default function embed(el: HTMLElement, spec: object, options?: EmbedOptions): Promise<Result>;
}
