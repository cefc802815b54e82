// The token page's one script: the Copy button of a new token's secret. The
// page works without it: the secret is in a read-only field to select.
'use strict';

(function () {
  const button = document.getElementById('copy-secret');
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById('copy-status');
  button.hidden = false;
  field.addEventListener('focus', () => field.select());
  button.addEventListener('click', async () => {
    field.focus();
    field.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch {
      // Without the Clipboard API (or its permission), the older command.
      copied = document.execCommand && document.execCommand('copy');
    }
    status.textContent = copied
      ? 'Copied to the clipboard.'
      : 'Could not copy: the secret is selected, press Ctrl+C (⌘+C on a Mac).';
    button.textContent = copied ? 'Copied' : 'Copy';
  });
})();
