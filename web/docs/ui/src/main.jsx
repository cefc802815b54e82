// The /docs/api page: GraphiQL, served with every asset by the Engage binary,
// plus two panels of Engage's own: the API by area, and the example library.
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { useGraphiQL } from '@graphiql/react';
import 'graphiql/style.css';
import './style.css';

import { AreasPanel } from './areas.jsx';
import { readConfig } from './config.js';
import { ExamplesPanel } from './examples.jsx';
import { createFetcher } from './fetcher.js';
import { AreasIcon, ExamplesIcon } from './icons.jsx';
import { setupWorkers } from './workers.js';

const config = readConfig();
setupWorkers(config.workers);
const fetcher = createFetcher(config.endpoint);

// In a narrow window, panels stack above the editor: the page starts with
// none open, so that the editor is the first thing on it.
const narrow = window.matchMedia('(max-width: 48rem)').matches;

function App() {
  const [focus, setFocus] = useState('');
  const [visible, setVisible] = useState(narrow ? '' : 'API by area');
  const plugins = useMemo(() => {
    const areas = {
      title: 'API by area',
      icon: AreasIcon,
      content: () => (
        <AreasPanel
          areas={config.areas}
          onShowExample={(key) => {
            setFocus(key);
            setVisible('Examples');
          }}
        />
      ),
    };
    const examples = {
      title: 'Examples',
      icon: ExamplesIcon,
      content: () => <ExamplesPanel areas={config.areas} focus={focus} />,
    };
    return [areas, examples];
  }, [focus]);
  const visiblePlugin = plugins.find((p) => p.title === visible);
  return (
    <GraphiQL
      fetcher={fetcher}
      plugins={plugins}
      visiblePlugin={visiblePlugin}
      defaultQuery={config.defaultQuery}
      shouldPersistHeaders={false}
      isHeadersEditorEnabled
    >
      <WrapLongLines />
    </GraphiQL>
  );
}

/** Wraps the operation editor's long lines, so that none is cut off, whatever the window's width. */
function WrapLongLines() {
  const queryEditor = useGraphiQL((s) => s.queryEditor);
  useEffect(() => {
    queryEditor?.updateOptions({ wordWrap: 'on' });
  }, [queryEditor]);
  return null;
}

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
