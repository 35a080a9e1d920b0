// Live updates for the dashboard: polls the page's fragment (?partial=1) and swaps it in, unless paused.
// The fragment is HTML rendered and encoded by the AppHost; nothing here builds markup from data.
(function () {
  'use strict';

  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });

  var live = document.getElementById('live');
  if (!live) {
    return;
  }

  var pause = document.getElementById('pause');
  var source = live.getAttribute('data-live');
  var follow = live.getAttribute('data-follow') === 'true';
  var interval = 2000;

  function schedule() {
    window.setTimeout(tick, interval);
  }

  function tick() {
    if (pause && pause.checked) {
      schedule();
      return;
    }

    fetch(source, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var atBottom = (window.innerHeight + window.scrollY) >= document.body.scrollHeight - 40;
        live.innerHTML = html;
        live.classList.remove('stale');
        if (follow && atBottom) {
          window.scrollTo(0, document.body.scrollHeight);
        }
      })
      .catch(function () { live.classList.add('stale'); })
      .then(schedule);
  }

  if (follow) {
    window.scrollTo(0, document.body.scrollHeight);
  }
  schedule();
})();
