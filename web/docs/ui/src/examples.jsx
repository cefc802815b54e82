// The "Examples" panel: the example library, by area. Each example shows its
// description, operation, variables and its response on the demo data, and
// loads into a new editor tab with one click.
import { useEffect, useRef } from 'react';
import { useLoadOperation } from './actions.js';

/** @param {{areas: import('./config.js').Area[], focus: string}} props */
export function ExamplesPanel({ areas, focus }) {
  const load = useLoadOperation();
  const root = useRef(null);
  useEffect(() => {
    if (!focus || !root.current) return;
    const el = root.current.querySelector(`[data-example="${CSS.escape(focus)}"]`);
    if (el) {
      el.scrollIntoView({ block: 'start' });
      el.querySelector('button')?.focus();
    }
  }, [focus]);
  return (
    <div className="engage-panel" ref={root}>
      <h2 className="graphiql-doc-explorer-title">Examples</h2>
      <p className="engage-lead">
        Operations for common tasks, with what they return on the demo data for the demo administrator. The test
        suite runs every one of them, so they stay true.
      </p>
      {areas.map((area) => (
        <section key={area.key} className="engage-area-examples" aria-labelledby={`examples-${area.key}`}>
          <h3 id={`examples-${area.key}`}>{area.name}</h3>
          {area.examples.map((ex) => (
            <article key={ex.name} className="engage-example" data-example={`${area.key}/${ex.name}`}>
              <h4>{ex.title}</h4>
              <p>{ex.description}</p>
              {ex.note && <p className="engage-note">{ex.note}</p>}
              <button type="button" className="engage-button" onClick={() => load(ex.query, ex.variables)}>
                Load into the editor
              </button>
              <details>
                <summary>Operation{ex.variables ? ' and variables' : ''}</summary>
                <pre className="engage-code-block">{ex.query}</pre>
                {ex.variables && <pre className="engage-code-block">{ex.variables}</pre>}
              </details>
              <details>
                <summary>Response on the demo data</summary>
                <pre className="engage-code-block">{ex.response}</pre>
              </details>
            </article>
          ))}
        </section>
      ))}
    </div>
  );
}
