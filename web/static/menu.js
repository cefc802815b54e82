// The header's account menu is a <details> element, which works without
// this script; this adds what people expect of a menu: Escape closes it
// (and gives the focus back to its button), and so does a click elsewhere.
'use strict';

(function () {
  const menu = document.querySelector('.user-menu');
  if (!menu) return;
  const summary = menu.querySelector('summary');
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
})();
