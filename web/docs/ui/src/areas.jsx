// The "API by area" panel: each area of the API (Projects, Surveys, Maps,
// Tokens, Users & Teams) with its root queries, mutations, types, file
// exports and examples. Names open the documentation explorer; "Try" puts a starter
// operation in a new tab.
import { useLoadOperation, useOpenDocs } from './actions.js';
import { skeleton } from './skeleton.js';

/** @param {{areas: import('./config.js').Area[], onShowExample: (key: string) => void}} props */
export function AreasPanel({ areas, onShowExample }) {
  const docs = useOpenDocs();
  const load = useLoadOperation();
  const tryField = (kind, name) => {
    const root = kind === 'mutation' ? docs.schema?.getMutationType() : docs.schema?.getQueryType();
    const field = root?.getFields()[name];
    if (!field) return;
    const op = skeleton(field, kind);
    load(op.query, op.variables);
  };
  return (
    <div className="engage-panel">
      <h2 className="graphiql-doc-explorer-title">API by area</h2>
      <p className="engage-lead">
        The schema grouped the way it is written. Click a name to read its documentation, or <em>Try</em> to start
        an operation with it.
      </p>
      {areas.map((area, i) => (
        <details key={area.key} className="engage-area" open={i === 0} id={`area-${area.key}`}>
          <summary>
            <h3>{area.name}</h3>
            <span className="engage-muted">{area.summary}</span>
          </summary>
          <FieldList title="Queries" kind="query" fields={area.queries} docs={docs} onTry={tryField} />
          <FieldList title="Mutations" kind="mutation" fields={area.mutations} docs={docs} onTry={tryField} />
          {area.types.length > 0 && (
            <>
              <h4>Types</h4>
              <ul className="engage-types">
                {area.types.map((t) => (
                  <li key={t}>
                    <button type="button" className="engage-link" onClick={() => docs.openType(t)}>
                      {t}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          {area.exports.length > 0 && (
            <>
              <h4>Exports</h4>
              <p className="engage-muted">
                Files for your own tools, with your session or a token. The links export from the demo data.
              </p>
              <ul className="engage-fields">
                {area.exports.map((ex) => (
                  <li key={ex.path}>
                    <a className="engage-link" href={ex.path} download>
                      {ex.title}
                    </a>
                    <div className="engage-muted">{ex.description}</div>
                    <pre className="engage-code-block">{`curl -H "Authorization: Bearer eng_…" \\\n  "${window.location.origin}${ex.path}"`}</pre>
                  </li>
                ))}
              </ul>
            </>
          )}
          {area.examples.length > 0 && (
            <>
              <h4>Examples</h4>
              <ul className="engage-fields">
                {area.examples.map((ex) => (
                  <li key={ex.name}>
                    <button type="button" className="engage-link" onClick={() => load(ex.query, ex.variables)}>
                      {ex.title}
                    </button>{' '}
                    <button
                      type="button"
                      className="engage-small"
                      onClick={() => onShowExample(`${area.key}/${ex.name}`)}
                      aria-label={`Details of the example ${ex.title}`}
                    >
                      Details
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </details>
      ))}
    </div>
  );
}

function FieldList({ title, kind, fields, docs, onTry }) {
  if (fields.length === 0) return null;
  return (
    <>
      <h4>{title}</h4>
      <ul className="engage-fields">
        {fields.map((f) => (
          <li key={f.name}>
            <button type="button" className="engage-link engage-code" onClick={() => docs.openField(kind, f.name)}>
              {f.name}
            </button>{' '}
            <button type="button" className="engage-small" onClick={() => onTry(kind, f.name)} aria-label={`Try ${f.name}`}>
              Try
            </button>
            <div className="engage-muted">{f.description}</div>
          </li>
        ))}
      </ul>
    </>
  );
}
