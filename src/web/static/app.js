// Keyboard shortcuts and street suggestions. Plain script, no build step; the pages work without it.
(function () {
  'use strict';
  var pendingG = false;

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
  }

  function clickKey(key) {
    var el = document.querySelector('[data-key="' + key + '"]');
    if (!el || el.disabled) return false;
    el.click();
    return true;
  }

  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); if (el.select) el.select(); }
  }

  function toggleHelp() {
    var help = document.getElementById('help');
    if (help) { help.remove(); return; }
    help = document.createElement('div');
    help.id = 'help';
    help.innerHTML = '<strong>Shortcuts</strong><br>' +
      '<kbd>Enter</kbd> confirm and route (review screen) / open oldest (queue)<br>' +
      '<kbd>1</kbd>–<kbd>3</kbd> choose an alternative category<br>' +
      '<kbd>a</kbd>/<kbd>x</kbd> accept/reject the first status change to confirm (queue)<br>' +
      '<kbd>c</kbd> category list · <kbd>s</kbd> street · <kbd>o</kbd> full original<br>' +
      '<kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>Esc</kbd> leave a field<br>' +
      '<kbd>g</kbd> then <kbd>r</kbd> review, <kbd>a</kbd> questions, <kbd>s</kbd> saved answers, <kbd>q</kbd> requests, <kbd>d</kbd> dashboard, <kbd>p</kbd> reports, <kbd>m</kbd> map, <kbd>n</kbd> log a call, <kbd>u</kbd> admin · <kbd>/</kbd> search';
    document.body.appendChild(help);
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (e.key === 'Escape') { if (t && t.blur) t.blur(); var h = document.getElementById('help'); if (h) h.remove(); return; }
    // Enter in the category list confirms with the chosen category (a select does not submit by itself).
    if (e.key === 'Enter' && t && t.id === 'category') { e.preventDefault(); clickKey('Enter'); return; }
    if (typing(t)) return;
    if (t && (t.tagName === 'BUTTON' || t.tagName === 'A') && e.key === 'Enter') return;
    if (pendingG) {
      pendingG = false;
      var go = { r: '/review', a: '/questions', s: '/answers', q: '/requests', d: '/dashboard', p: '/reports', m: '/map', n: '/requests/new', u: '/admin/users' }[e.key];
      if (go) { e.preventDefault(); location.href = go; }
      return;
    }
    switch (e.key) {
      case 'Enter':
        if (clickKey('Enter')) { e.preventDefault(); return; }
        var first = document.querySelector('[data-first]');
        if (first) { e.preventDefault(); first.click(); }
        return;
      case '1': case '2': case '3': case 'j': case 'k': case 'a': case 'x':
        if (clickKey(e.key)) e.preventDefault();
        return;
      case 'c': e.preventDefault(); focus('category'); return;
      case 's': e.preventDefault(); focus('street'); return;
      case '/': e.preventDefault(); focus('search-q'); return;
      case 'o':
        var d = document.getElementById('original');
        if (d) { e.preventDefault(); d.open = !d.open; }
        return;
      case 'g': pendingG = true; return;
      case '?': toggleHelp(); return;
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll('.print-page'), function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  // The routing target follows the category list.
  var select = document.getElementById('category');
  var target = document.getElementById('route-target');
  if (select && target) {
    select.addEventListener('change', function () {
      var opt = select.options[select.selectedIndex];
      if (opt) target.textContent = opt.getAttribute('data-department') || '';
    });
  }

  // "Nearest known" streets offered for a street the city's list lacks: a click puts the name in the field.
  Array.prototype.forEach.call(document.querySelectorAll('button[data-fill]'), function (button) {
    button.addEventListener('click', function () {
      var field = document.getElementById(button.getAttribute('data-fill'));
      if (field) {
        field.value = button.value;
        field.focus();
      }
    });
  });

  // Street suggestions from the gazetteer, into the shared datalist.
  var list = document.getElementById('street-options');
  var timer = null;
  Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), function (input) {
    input.addEventListener('input', function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || !list) return;
      timer = setTimeout(function () {
        fetch(input.getAttribute('data-suggest') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : { streets: [] }; })
          .then(function (data) {
            list.textContent = '';
            data.streets.forEach(function (name) {
              var o = document.createElement('option');
              o.value = name;
              list.appendChild(o);
            });
          })
          .catch(function () {});
      }, 120);
    });
  });
})();
