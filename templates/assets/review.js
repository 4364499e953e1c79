// The review page: a provenance card for the figure under the pointer or with the keyboard focus, placed
// against the viewport (never clipped by a table's box, never off the screen); reviewed ticks kept in the
// browser (localStorage, per build) and exported as a sign-off record.
(function () {
  'use strict';
  var info = JSON.parse(document.getElementById('review-info').textContent);
  var card = document.getElementById('prov-card');
  var current = null;
  var MARGIN = 8;

  function place(el) {
    var width = document.documentElement.clientWidth, height = document.documentElement.clientHeight;
    card.style.maxHeight = '';
    card.style.left = '0px';
    card.style.top = '0px';
    var r = el.getBoundingClientRect(), c = card.getBoundingClientRect();
    var left = Math.max(MARGIN, Math.min(r.left, width - c.width - MARGIN));
    var top = r.bottom + 4;
    if (top + c.height > height - MARGIN) {            // no room below: above, else as high as the screen allows
      top = r.top - c.height - 4;
      if (top < MARGIN) {
        top = MARGIN;
        card.style.maxHeight = (height - 2 * MARGIN) + 'px';
      }
    }
    card.style.left = left + 'px';
    card.style.top = top + 'px';
  }
  function show(el) {
    current = el;
    card.textContent = el.getAttribute('data-prov');
    card.hidden = false;
    el.setAttribute('aria-describedby', 'prov-card');
    place(el);
  }
  function hide(el) {
    if (current !== el) return;
    current = null;
    card.hidden = true;
    el.removeAttribute('aria-describedby');
  }
  var cards = document.querySelectorAll('[data-prov]');
  Array.prototype.forEach.call(cards, function (el) {
    el.addEventListener('mouseenter', function () { show(el); });
    el.addEventListener('mouseleave', function () { hide(el); });
    el.addEventListener('focus', function () { show(el); });
    el.addEventListener('blur', function () { hide(el); });
  });
  window.addEventListener('scroll', function () { if (current) place(current); }, {passive: true});
  window.addEventListener('resize', function () { if (current) place(current); });

  // ---------------------------------------------------------------- reviewed ticks
  var key = 'qfin-review:' + info.release + ':' + info.build_hash;
  var state = {reviewer: '', figures: {}, sections: {}};
  try { state = Object.assign(state, JSON.parse(localStorage.getItem(key) || '{}')); } catch (e) { /* fresh */ }
  function save() { try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function figureIds() {
    return Array.prototype.map.call(document.querySelectorAll('.fig.prov'), function (el) { return el.id.slice(4); });
  }
  function paint() {
    Array.prototype.forEach.call(document.querySelectorAll('.fig.prov'), function (el) {
      el.classList.toggle('reviewed', !!state.figures[el.id.slice(4)]);
    });
    Array.prototype.forEach.call(document.querySelectorAll('input.tick'), function (box) {
      box.checked = !!state.figures[box.getAttribute('data-fig')];
    });
    Array.prototype.forEach.call(document.querySelectorAll('input.section-tick'), function (box) {
      box.checked = !!state.sections[box.getAttribute('data-section')];
    });
    var done = figureIds().filter(function (id) { return state.figures[id]; }).length;
    document.getElementById('signoff-count').textContent = done + ' of ' + figureIds().length;
  }
  function toggle(id) {
    if (state.figures[id]) delete state.figures[id]; else state.figures[id] = new Date().toISOString();
    save(); paint();
  }
  Array.prototype.forEach.call(document.querySelectorAll('.fig.prov'), function (el) {
    el.addEventListener('click', function () { toggle(el.id.slice(4)); });
    el.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); toggle(el.id.slice(4)); }
    });
  });
  document.addEventListener('change', function (event) {
    var box = event.target;
    if (box.classList.contains('tick')) {
      var id = box.getAttribute('data-fig');
      if (box.checked) state.figures[id] = new Date().toISOString(); else delete state.figures[id];
    } else if (box.classList.contains('section-tick')) {
      var name = box.getAttribute('data-section');
      if (box.checked) state.sections[name] = new Date().toISOString(); else delete state.sections[name];
    } else if (box.id === 'signoff-reviewer') {
      state.reviewer = box.value;
    } else return;
    save(); paint();
  });
  var who = document.getElementById('signoff-reviewer');
  who.value = state.reviewer || '';
  who.addEventListener('input', function () { state.reviewer = who.value; save(); });

  function record() {
    var figures = figureIds().filter(function (id) { return state.figures[id]; }).map(function (id) {
      var el = document.getElementById('fig-' + id);
      return {id: Number(id), text: el.textContent, source: el.getAttribute('data-source'), reviewed_at: state.figures[id]};
    });
    var sections = Object.keys(state.sections).map(function (name) { return {section: name, reviewed_at: state.sections[name]}; });
    return {record: 'qfin-docs sign-off', release: info.release, document: info.document, build_hash: info.build_hash,
            hash_of: info.hash_of, reviewer: state.reviewer, exported_at: new Date().toISOString(),
            figures_total: figureIds().length, figures_reviewed: figures.length, figures: figures,
            sections_reviewed: sections};
  }
  document.getElementById('signoff-export').addEventListener('click', function () {
    var text = JSON.stringify(record(), null, 1);
    document.getElementById('signoff-record').textContent = text;
    var link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
    link.download = 'signoff-' + info.release + '-' + info.build_hash.slice(0, 12) + '.json';
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
  document.getElementById('signoff-clear').addEventListener('click', function () {
    state.figures = {}; state.sections = {}; save(); paint();
  });
  paint();
})();
